from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "accord.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from accord.contacts import policy

        policy.register_all()
        from accord.contacts import search

        search.register_all()
        from accord.contacts import navigation  # nav, palette and lists (the UI engineer's)

        navigation.register_all()
        from accord.contacts import demo
        from accord.core.registry import DemoLoader, registry

        registry.add_demo_loader(DemoLoader(key="contacts", load=demo.load, order=20))
