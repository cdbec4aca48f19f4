"""PostgreSQL fills a decision's revision author from the revision itself.

The CHECK constraint `approver_is_not_revision_author` compares two columns of the
decision row; this trigger makes the second one true by construction (it is read from
ads_revision, whatever the code wrote) and refuses a decision on any revision but the
one its review pinned. CHECK constraints run after BEFORE triggers, so the check sees
the real author.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION review_decision_from_revision() RETURNS trigger AS $$
DECLARE
    pinned bigint;
BEGIN
    SELECT revision_id INTO pinned FROM review_review WHERE id = NEW.review_id;
    IF pinned IS DISTINCT FROM NEW.revision_id THEN
        RAISE EXCEPTION 'a decision must be on the revision its review pinned'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT author_id INTO NEW.revision_author_id FROM ads_revision WHERE id = NEW.revision_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_decision_from_revision
    BEFORE INSERT OR UPDATE ON review_decision
    FOR EACH ROW EXECUTE FUNCTION review_decision_from_revision();
"""
DROP = """
DROP TRIGGER IF EXISTS review_decision_from_revision ON review_decision;
DROP FUNCTION IF EXISTS review_decision_from_revision();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("review", "0002_audit_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
