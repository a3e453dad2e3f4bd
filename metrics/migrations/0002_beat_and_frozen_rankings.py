"""The beat entries (nightly snapshot, rankings at each quarter's start) and the database guard that
keeps published rankings frozen."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION metrics_ranking_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'metrics_rankingrun' THEN
        IF OLD.status = 'published' AND (NEW.status <> OLD.status OR NEW.weights::text <> OLD.weights::text
                OR NEW.version <> OLD.version OR NEW.period_start <> OLD.period_start
                OR NEW.period_end <> OLD.period_end OR NEW.scope_id <> OLD.scope_id) THEN
            RAISE EXCEPTION 'a published ranking is frozen';
        END IF;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM metrics_rankingrun r WHERE r.id = NEW.run_id AND r.status = 'published') THEN
        RAISE EXCEPTION 'a published ranking is frozen';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER metrics_rankingrun_frozen BEFORE UPDATE ON metrics_rankingrun
    FOR EACH ROW EXECUTE FUNCTION metrics_ranking_frozen();
CREATE TRIGGER metrics_rankingentry_frozen BEFORE INSERT OR UPDATE ON metrics_rankingentry
    FOR EACH ROW EXECUTE FUNCTION metrics_ranking_frozen();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS metrics_rankingrun_frozen ON metrics_rankingrun;
DROP TRIGGER IF EXISTS metrics_rankingentry_frozen ON metrics_rankingentry;
DROP FUNCTION IF EXISTS metrics_ranking_frozen();
"""
SQLITE_SQL = [
    """CREATE TRIGGER metrics_rankingrun_frozen BEFORE UPDATE ON metrics_rankingrun
       WHEN OLD.status = 'published' AND (NEW.status IS NOT OLD.status OR NEW.weights IS NOT OLD.weights
            OR NEW.version IS NOT OLD.version OR NEW.period_start IS NOT OLD.period_start
            OR NEW.period_end IS NOT OLD.period_end OR NEW.scope_id IS NOT OLD.scope_id)
       BEGIN SELECT RAISE(ABORT, 'a published ranking is frozen'); END""",
    """CREATE TRIGGER metrics_rankingentry_frozen_insert BEFORE INSERT ON metrics_rankingentry
       WHEN (SELECT status FROM metrics_rankingrun WHERE id = NEW.run_id) = 'published'
       BEGIN SELECT RAISE(ABORT, 'a published ranking is frozen'); END""",
    """CREATE TRIGGER metrics_rankingentry_frozen_update BEFORE UPDATE ON metrics_rankingentry
       WHEN (SELECT status FROM metrics_rankingrun WHERE id = NEW.run_id) = 'published'
       BEGIN SELECT RAISE(ABORT, 'a published ranking is frozen'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS metrics_rankingrun_frozen",
    "DROP TRIGGER IF EXISTS metrics_rankingentry_frozen_insert",
    "DROP TRIGGER IF EXISTS metrics_rankingentry_frozen_update",
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


BEAT = [
    # name, task, crontab (minute, hour, day_of_month, month_of_year)
    ("metrics: nightly snapshot", "metrics.recompute_today", ("45", "23", "*", "*")),
    ("metrics: rankings at period ends", "metrics.rankings_period_end", ("30", "2", "1", "1,4,7,10")),
]


def add_beat(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day, month) in BEAT:
        schedule, _ = crontab_model.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week="*",
            timezone="Asia/Shanghai")
        task_model.objects.update_or_create(name=name, defaults={"task": task, "crontab": schedule,
                                                                 "enabled": True})


def drop_beat(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[b[0] for b in BEAT]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(add_beat, drop_beat),
    ]
