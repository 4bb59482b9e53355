"""An index for the jobs page on django-tasks-db's table: jobs of one status, newest first.

django-tasks-db indexes only the READY rows (for workers); the jobs page lists running,
failed and succeeded jobs too, and the table keeps ACCORD_JOB_RETENTION_DAYS of history.
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "accord_bg_status_enqueued_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("background", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (status, enqueued_at, id)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
