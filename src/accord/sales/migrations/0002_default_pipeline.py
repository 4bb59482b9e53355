"""First-run data: the default "Sales" pipeline and a starter list of lost reasons."""

from django.db import migrations

STAGES = [
    # name, probability, rotting days, kind
    ("Lead in", 10, 14, "open"),
    ("Qualified", 25, 21, "open"),
    ("Proposal", 50, 21, "open"),
    ("Negotiation", 75, 14, "open"),
    ("Won", 100, None, "won"),
    ("Lost", 0, None, "lost"),
]

LOST_REASONS = ["Price", "Chose a competitor", "No budget", "No decision", "Timing", "Other"]


def create_default(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="Sales", is_default=True, order=0)
        for order, (name, probability, rotting, kind) in enumerate(STAGES):
            Stage.objects.create(
                pipeline=pipeline,
                name=name,
                order=order,
                probability=probability,
                rotting_days=rotting,
                kind=kind,
            )
    if not LostReason.objects.exists():
        for order, name in enumerate(LOST_REASONS):
            LostReason.objects.create(name=name, order=order)


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
