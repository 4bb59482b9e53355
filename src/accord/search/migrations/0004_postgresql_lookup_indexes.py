"""PostgreSQL: look-up indexes the planner cannot confuse.

- ``search_word_any`` on ``(word || '')`` replaces ``(word, entry_id)``: searches that see
  every team use the expression, searches scoped to a team use ``(team_id, word, entry_id)``
  and can no longer be planned onto the unscoped index (which reads every team's words).
- ``search_entry_team`` on ``team_id`` alone: a small, deduplicated index that makes the
  team bitmap of trigram look-ups cheap (the wide ``(team_id, title_norm, id)`` index was
  used for that and cost more than the look-up itself).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FORWARD = [
    "DROP INDEX IF EXISTS search_word_word",
    "CREATE INDEX search_word_any ON search_word ((word || ''), entry_id)",
    "CREATE INDEX search_entry_team ON search_entry (team_id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_team",
    "DROP INDEX IF EXISTS search_word_any",
    "CREATE INDEX search_word_word ON search_word (word, entry_id)",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_search_word")]

    operations = [migrations.RunPython(forward, backward)]
