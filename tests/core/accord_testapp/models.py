from django.db import models

from accord.core.models import CustomFieldsMixin, OwnedModel, TimeStampedModel
from accord.core.policy import Policy


class Company(OwnedModel, CustomFieldsMixin, TimeStampedModel):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class Contact(OwnedModel, CustomFieldsMixin, TimeStampedModel):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    secret = models.CharField(max_length=100, blank=True)

    audit_exclude = ("secret",)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Note(TimeStampedModel):
    """A child record without owner or team: access follows its contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField()

    def __str__(self) -> str:
        return self.body[:40]


class NotePolicy(Policy):
    owner_field = "contact__owner"
    team_field = "contact__team"
