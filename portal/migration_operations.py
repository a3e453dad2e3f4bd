"""Migration operations shared by the apps.

TrackChanges: a model's `updated_at` is set by the database on every UPDATE that changes the row,
not only by the ORM's `auto_now` on `save()`. The portal writes state changes as guarded conditional
`UPDATE`s (`filter(status=...).update(...)`), bulk updates and raw SQL, none of which `auto_now` sees;
the change feed of the API (portal/api/changes.py) must still see them. Existing rows are first given
a sensible `updated_at` (the given expression, e.g. their creation time), then the trigger is installed.
"""

from __future__ import annotations

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_touch_updated_at() RETURNS trigger AS $$
BEGIN
    IF ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*) THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class TrackChanges(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, backfill: str = ""):
        self.model_name = model_name
        self.backfill = backfill

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state):
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, to_state)
        quoted = schema_editor.quote_name(table)
        vendor = schema_editor.connection.vendor
        if self.backfill:
            # Table names and the backfill expression come from migration files, never from input.
            schema_editor.execute(f"UPDATE {quoted} SET updated_at = {self.backfill}")  # noqa: S608
        if vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch ON {quoted}")
            schema_editor.execute(f"CREATE TRIGGER {table}_touch BEFORE UPDATE ON {quoted} "
                                  f"FOR EACH ROW EXECUTE FUNCTION portal_touch_updated_at()")
        elif vendor == "sqlite":
            # SQLite has no BEFORE-row assignment: touch the row after an update that left the time alone
            # (recursive triggers are off, so this UPDATE does not fire the trigger again).
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch")
            touch = f"UPDATE {quoted} SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE rowid = NEW.rowid"  # noqa: S608
            schema_editor.execute(f"CREATE TRIGGER {table}_touch AFTER UPDATE ON {quoted} FOR EACH ROW "
                                  f"WHEN NEW.updated_at IS OLD.updated_at BEGIN {touch}; END")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, from_state)
        quoted = schema_editor.quote_name(table)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch ON {quoted}")
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_touch")

    def describe(self):
        return f"Set {self.model_name}.updated_at on every UPDATE (database trigger)"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.backfill:
            kwargs["backfill"] = self.backfill
        return self.__class__.__qualname__, [], kwargs
