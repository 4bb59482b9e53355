from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "accord.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from accord.sales import policy

        policy.register_all()
        from accord.core.registry import DemoLoader, registry
        from accord.sales import demo

        registry.add_demo_loader(DemoLoader(key="sales", load=demo.load, order=30))
        from accord.sales import navigation  # nav, palette, deal list, panels (the UI's)

        navigation.register_all()
