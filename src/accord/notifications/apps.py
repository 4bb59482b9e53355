from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "accord.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accord.notifications import panels

        panels.register()
