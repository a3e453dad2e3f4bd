"""No (region, snapshot) index on snapshot rows: its upkeep grew with the number of versions kept (metrics.models)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0008_snapshot_retention'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='regionsnapshot',
            name='region_snapshot_series_idx',
        ),
    ]
