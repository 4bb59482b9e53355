from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """``accord migrate`` also creates the database cache table (if CACHES uses one)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class ApiConfig(AppConfig):
    name = "accord.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="accord_cache_table")
