"""Trigram indexes for the drafts search (name or subject contains the words typed), PostgreSQL only.

The search is `icontains`, which PostgreSQL runs as `UPPER(col::text) LIKE UPPER('%...%')`: a
leading wildcard no b-tree can serve, so at agency scale (2,000 ads a workspace, 100,000 in all) it
read every row. A GIN index of the upper-cased column's trigrams serves exactly that expression.
SQLite (`make run`) has neither the extension nor GIN: both steps do nothing there, while the
migration state (and so `makemigrations --check`) is the same on every database.
"""

from typing import Any

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """AddIndex that creates (and drops) the index on PostgreSQL only; its state change is everywhere."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0004_edit_presence"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        AddIndexOnPostgreSQL(
            model_name="ad",
            index=GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="ad_name_trgm"),
        ),
        AddIndexOnPostgreSQL(
            model_name="ad",
            index=GinIndex(OpClass(Upper("subject"), name="gin_trgm_ops"), name="ad_subject_trgm"),
        ),
    ]
