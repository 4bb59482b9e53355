"""The search index table, plus the engine-specific indexes (see docs/search.md).

SQLite: B-tree indexes for title-prefix look-ups and owner scoping, and the FTS5 table
``search_entry_fts`` (trigram tokenizer, external content = ``search_entry``, rowid =
``fts_rowid``).

PostgreSQL: ``pg_trgm`` (a trusted extension: a database owner without superuser may create
it), GIN ``gin_trgm_ops`` indexes on ``text`` and ``digits``, and "C"-collated title indexes
so that prefix ranges compare code points whatever the database collation is.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_FORWARD = [
    "CREATE INDEX search_entry_team_title ON search_entry (team_id, title_norm)",
    "CREATE INDEX search_entry_owner_team ON search_entry (owner_id, team_id)",
    "CREATE INDEX search_entry_title ON search_entry (title_norm)",
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
    "text, digits, content='search_entry', content_rowid='fts_rowid', "
    "tokenize='trigram', detail='full')",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS search_entry_fts",
    "DROP INDEX IF EXISTS search_entry_title",
    "DROP INDEX IF EXISTS search_entry_owner_team",
    "DROP INDEX IF EXISTS search_entry_team_title",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX search_entry_team_title ON search_entry (team_id, title_norm COLLATE "C", id)',
    "CREATE INDEX search_entry_owner_team ON search_entry (owner_id, team_id)",
    'CREATE INDEX search_entry_title ON search_entry (title_norm COLLATE "C", id)',
    "CREATE INDEX search_entry_text_trgm ON search_entry USING gin (text gin_trgm_ops)",
    "CREATE INDEX search_entry_digits_trgm ON search_entry USING gin (digits gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_digits_trgm",
    "DROP INDEX IF EXISTS search_entry_text_trgm",
    "DROP INDEX IF EXISTS search_entry_title",
    "DROP INDEX IF EXISTS search_entry_owner_team",
    "DROP INDEX IF EXISTS search_entry_team_title",
    # The extension stays: other tables may use it.
]


def _run(schema_editor: BaseDatabaseSchemaEditor, by_vendor: dict[str, list[str]]) -> None:
    for statement in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_type", models.CharField(max_length=100)),
                ("object_id", models.BigIntegerField()),
                ("owner_id", models.BigIntegerField(blank=True, null=True)),
                ("team_id", models.BigIntegerField(blank=True, null=True)),
                ("title", models.CharField(max_length=300)),
                ("subtitle", models.CharField(blank=True, default="", max_length=300)),
                ("title_norm", models.CharField(max_length=300)),
                ("text", models.TextField()),
                ("digits", models.TextField(blank=True, default="")),
                ("fts_rowid", models.BigIntegerField(blank=True, null=True, unique=True)),
                ("updated_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
                "db_table": "search_entry",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("object_type", "object_id"), name="search_entry_object_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
