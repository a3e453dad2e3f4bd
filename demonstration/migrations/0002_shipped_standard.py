"""Loads version 1 of the shipped creation standard (a working definition, see demonstration/standards.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from demonstration.standards import load_shipped

    load_shipped(apps.get_model("demonstration", "CreationStandard"), apps.get_model("demonstration", "CriterionGroup"),
                 apps.get_model("demonstration", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("demonstration", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
