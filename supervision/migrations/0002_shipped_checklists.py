"""Loads version 1 of the shipped checklists (a working definition, see supervision/checklists.py) and the
daily escalation of overdue rectification orders."""

from django.db import migrations

TASK = "supervision.tasks.rectifications_escalate"
NAME = "supervision: escalate overdue rectification orders (daily)"


def load(apps, schema_editor):
    from supervision.checklists import SHIPPED, as_items

    Checklist = apps.get_model("supervision", "Checklist")
    ChecklistItem = apps.get_model("supervision", "ChecklistItem")
    for data in SHIPPED:
        checklist, created = Checklist.objects.get_or_create(
            code=data["code"], version=1,
            defaults={"name": data["name"], "notes": data["notes"], "is_working_definition": True})
        if created:
            ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, order=n, **item)
                                               for n, item in enumerate(as_items(data), start=1)])
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule, "enabled": True})


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(load, unload)]
