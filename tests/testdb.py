"""One migrated test database per run, copied for each xdist worker.

pytest-django makes each worker build its own test database by running every migration (12 s on
this loaded machine, with PostgreSQL's DDL; all workers at the same moment). Here the
first worker to arrive builds one database, `test_<name>_template`, with Django's own
`create_test_db` (the migrations, as always), while the others wait on a PostgreSQL advisory
lock; then every worker takes a copy with `CREATE DATABASE … TEMPLATE`, which copies files (0.2 s). The copy is the same database the migrations made: nothing is skipped.

The template records the run it belongs to (xdist's `testrunuid`, as the database's comment), so
a template a killed run left behind is rebuilt, never reused; the run that made it drops it when
it ends (`drop_template`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import connection


def _template_name() -> str:
    return f"test_{settings.DATABASES['default']['NAME']}_template"


def setup(run_id: str | None) -> Any:
    """Point the default connection at a fresh copy of this run's migrated template; returns what
    `teardown` needs."""
    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    template = _template_name()
    quote = connection.ops.quote_name
    run_id = run_id or uuid.uuid4().hex
    with creation._nodb_cursor() as cursor:  # type: ignore[attr-defined]
        # One lock per template: runs of other checkouts (other database names) don't wait on this one.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        try:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [template],
            )
            row = cursor.fetchone()
            if row is None or row[0] != run_id:
                _build_template(template)
                cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS %s", [run_id])
            test_name = creation._get_test_db_name()  # type: ignore[attr-defined]
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
    connection.close()
    settings.DATABASES["default"]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    return original_name


def _build_template(template: str) -> None:
    """Django's own test database creation (every migration, then post_migrate), under another name."""
    test_settings = connection.settings_dict["TEST"]
    original_name = connection.settings_dict["NAME"]
    original_test_name = test_settings.get("NAME")
    test_settings["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        # Nobody may stay connected to a template while it is copied.
        connection.close()
        test_settings["NAME"] = original_test_name
        settings.DATABASES["default"]["NAME"] = original_name
        connection.settings_dict["NAME"] = original_name


def teardown(original_name: str) -> None:
    """Drop this worker's copy (Django's own teardown of a test database)."""
    connection.creation.destroy_test_db(original_name, verbosity=0)


def drop_template() -> None:
    """Drop the run's template (the controller, once every worker has finished)."""
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(_template_name())}")
