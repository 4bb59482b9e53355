"""The search index: one row per indexed record (see ``docs/search.md``).

Only the write functions in ``accord.search.services`` change these rows: on SQLite they keep
the FTS5 table ``search_entry_fts`` in step, which the ORM knows nothing about. Engine-specific
indexes (trigram GIN on PostgreSQL, the FTS5 table on SQLite, "C"-collated title indexes) are
created by the migration's vendor-guarded operations, not declared here.
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    object_type = models.CharField(max_length=100)  # "contacts.contact"
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True, default="")
    title_norm = models.CharField(max_length=300)  # normalised title: short prefixes, ties
    text = models.TextField()  # " word word email domain ... " normalised, see accord.search.text
    digits = models.TextField(blank=True, default="")  # " 4930123456 030123456 "
    # SQLite only: the FTS5 rowid, (team band << 40) | id, so that a team's rows form one
    # rowid range the full-text index can seek to. NULL on PostgreSQL.
    fts_rowid = models.BigIntegerField(null=True, blank=True, unique=True)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "search_entry"
        verbose_name = "search entry"
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="search_entry_object_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.title}"


class SearchWord(models.Model):
    """PostgreSQL only (empty on SQLite): every word piece of an entry, for B-tree look-ups.

    A name prefix such as ``joh`` is a range scan ``word >= 'joh' AND word < 'joi'`` on
    ``(team_id, word)``: bounded by the rows the user may see and stopped by LIMIT, which a
    trigram GIN index cannot do. Pieces are the letter/digit runs of the entry's text plus its
    phone digit forms (``john.smith@acme.com`` -> ``john``, ``smith``, ``acme``, ``com``).
    The ``word`` column is "C"-collated on PostgreSQL (migration 0003).
    """

    pk = models.CompositePrimaryKey("entry_id", "word")
    entry_id = models.BigIntegerField()
    team_id = models.BigIntegerField(null=True, blank=True)
    word = models.CharField(max_length=100)

    class Meta:
        db_table = "search_word"
        verbose_name = "search word"
        verbose_name_plural = "search words"

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.word}"
