"""The PostgreSQL word table (see SearchWord): "C" collation and the look-up indexes.

On SQLite the table exists but stays empty (the FTS5 index does that job there).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRESQL_FORWARD = [
    'ALTER TABLE search_word ALTER COLUMN word TYPE varchar(100) COLLATE "C"',
    "CREATE INDEX search_word_team_word ON search_word (team_id, word, entry_id)",
    "CREATE INDEX search_word_word ON search_word (word, entry_id)",
    'ALTER TABLE search_entry ALTER COLUMN title_norm TYPE varchar(300) COLLATE "C"',
    # Planner estimates for LIKE patterns come from these columns' statistics.
    "ALTER TABLE search_entry ALTER COLUMN text SET STATISTICS 1000",
    "ALTER TABLE search_entry ALTER COLUMN digits SET STATISTICS 1000",
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE search_entry ALTER COLUMN digits SET STATISTICS -1",
    "ALTER TABLE search_entry ALTER COLUMN text SET STATISTICS -1",
    "ALTER TABLE search_entry ALTER COLUMN title_norm TYPE varchar(300)",
    "DROP INDEX IF EXISTS search_word_word",
    "DROP INDEX IF EXISTS search_word_team_word",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARD:
            schema_editor.execute(statement)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fts_hashsize")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("pk", models.CompositePrimaryKey("entry_id", "word", blank=True, editable=False, primary_key=True, serialize=False)),
                ("entry_id", models.BigIntegerField()),
                ("team_id", models.BigIntegerField(blank=True, null=True)),
                ("word", models.CharField(max_length=100)),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
                "db_table": "search_word",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
