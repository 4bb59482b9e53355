from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "accord.lists"
    label = "lists"
    verbose_name = _("Lists")
    default_auto_field = "django.db.models.BigAutoField"
