"""Snapshot retention (metrics.retention): the `retired` status and the nightly beat entry."""

from django.db import migrations, models

TASK = "metrics.snapshot_retention"
NAME = "metrics: keep daily snapshots for the recent days, month-ends for ever (nightly)"


def add_schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab_model.objects.get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    task_model.objects.update_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule, "enabled": True})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0007_supervision_figures"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="snapshot",
            name="status",
            field=models.CharField(choices=[("computing", "Computing"), ("ready", "Ready"), ("failed", "Failed"),
                                            ("superseded", "Superseded by a newer version"),
                                            ("retired", "Retired (only month-end figures are kept)")],
                                   default="computing", max_length=10, verbose_name="status"),
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
