from django.db import migrations

ROLES = [
    ("admin", "Administrator", "Sees and changes everything, manages settings and users."),
    ("manager", "Manager", "Sees and edits the records of the teams they manage."),
    ("sales-rep", "Sales rep", "Sees and edits the records of their own teams."),
    ("marketer", "Marketer", "Sees and edits the records of their own teams; runs campaigns."),
    (
        "support-agent",
        "Support agent",
        "Sees and edits the records of their own teams; answers tickets.",
    ),
    ("read-only", "Read-only", "Sees their teams' records and changes nothing."),
]


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for slug, name, description in ROLES:
        Role.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "is_system": True}
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(is_system=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
