from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.core.accord_testapp"
    label = "accord_testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core import policy

        from .models import Company, Contact, Note, NotePolicy

        policy.register(Company)
        policy.register(Contact)
        policy.register(Note, NotePolicy)
