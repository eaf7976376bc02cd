# Results sent to the bedside (issue 16).

import django.db.models.deletion
import django.utils.timezone
import sessions_app.models
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_app', '0012_treatment'),
    ]

    operations = [
        migrations.AlterField(
            model_name='sessionevent',
            name='kind',
            field=models.CharField(choices=[('vitals', 'Values changed'), ('trend_stopped', 'Trend stopped'), ('alarm_limits', 'Alarm limits changed'), ('nibp_started', 'NIBP measurement started'), ('nibp_interval', 'Automatic NIBP changed'), ('alarms_silenced', 'Alarms silenced'), ('session_extended', 'Time extended'), ('paused', 'Paused'), ('resumed', 'Resumed'), ('profile', 'Patient changed'), ('twelve_lead', '12-lead acquired'), ('defibrillator', 'Defibrillator set'), ('charged', 'Charged'), ('shock', 'Shock'), ('disarmed', 'Disarmed'), ('analysed', 'AED analysis'), ('pads', 'Pads'), ('pacer', 'Pacer'), ('cpr', 'CPR'), ('result', 'Result sent')], default='vitals', max_length=20, verbose_name='kind'),
        ),
        migrations.CreateModel(
            name='SessionResult',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('blood_gas', 'Blood gas'), ('lab_panel', 'Lab results'), ('glucose', 'Capillary glucose'), ('image', 'Image')], max_length=20, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=100, verbose_name='title')),
                ('rows', models.JSONField(blank=True, default=list, verbose_name='rows')),
                ('comment', models.TextField(blank=True, max_length=1000, verbose_name='comment')),
                ('image', models.FileField(blank=True, max_length=200, upload_to=sessions_app.models.result_image_name, verbose_name='image')),
                ('content_type', models.CharField(blank=True, max_length=20, verbose_name='content type')),
                ('shipped_text', models.BooleanField(default=False, verbose_name='shipped text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='sessions_app.session')),
            ],
            options={
                'verbose_name': 'result',
                'verbose_name_plural': 'results',
                'db_table': 'session_results',
                'ordering': ['created_at'],
            },
        ),
    ]
