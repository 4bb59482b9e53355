from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    name = "accord.background"
    label = "background"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from accord.background import navigation

        navigation.register()
        # Every app's jobs.py is imported in every process, so that periodic jobs are
        # registered for the scheduler (workers) and listed on the jobs page (web).
        autodiscover_modules("jobs")
