"""Store Record.raw as JSON text on PostgreSQL instead of jsonb (SQLite keeps JSON as text already).

Nothing queries inside raw; it is stored whole and shown. Parsing it into jsonb was about a sixth of PostgreSQL's
work in a 100,000-record import, and printing it back is work on every read. A type change resets the column's
compression, so raw is set back to LZ4 (see 0005) where the server has it.
"""

from django.db import DatabaseError, migrations, transaction

import review.models


def _raw_as(schema_editor, type_name):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE review_record ALTER COLUMN raw TYPE {type_name} USING raw::{type_name}")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("ALTER TABLE review_record ALTER COLUMN raw SET COMPRESSION lz4")
    except DatabaseError:
        pass  # a server built without LZ4 support keeps its default compression


def raw_as_text(apps, schema_editor):
    _raw_as(schema_editor, "text")


def raw_as_jsonb(apps, schema_editor):
    _raw_as(schema_editor, "jsonb")


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0005_record_indexes_for_imports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='record',
                    name='raw',
                    field=review.models.JSONTextField(blank=True, default=list, help_text='Every original tag and value, in file order'),
                ),
            ],
            database_operations=[migrations.RunPython(raw_as_text, raw_as_jsonb, elidable=False)],
        ),
    ]
