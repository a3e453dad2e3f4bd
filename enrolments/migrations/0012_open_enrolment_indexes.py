"""Partial indexes for counting the enrolments open on a date (metrics recompute): history is not scanned."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrolments', '0011_change_feed_requests_approvals'),
        ('institutions', '0014_training_certificates'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(condition=models.Q(('end_date__isnull', True)), fields=['institution', 'start_date'],
                               name='enrolment_open_idx'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(condition=models.Q(('end_date__isnull', False)),
                               fields=['end_date', 'institution', 'start_date'], name='enrolment_ended_idx'),
        ),
    ]
