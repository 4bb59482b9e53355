from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "accord.web"
    label = "web"
    verbose_name = _("Web UI")

    def ready(self) -> None:
        from accord.web import shell

        shell.register()
