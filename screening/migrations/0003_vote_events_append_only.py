import django.utils.timezone
from django.db import migrations, models

from review.append_only import trigger_sql

FORWARD, BACKWARD = trigger_sql("screening_voteevent", "reviewer_id")


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_prioritisation")]

    operations = [
        migrations.AlterField(
            model_name='voteevent',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
