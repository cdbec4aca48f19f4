"""PostgreSQL refuses to update or delete an audit row, whatever the code path (even raw SQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION review_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'review_auditevent is append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_auditevent_append_only
    BEFORE UPDATE OR DELETE ON review_auditevent
    FOR EACH ROW EXECUTE FUNCTION review_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS review_auditevent_append_only ON review_auditevent;
DROP FUNCTION IF EXISTS review_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
