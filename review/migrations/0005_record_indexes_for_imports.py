"""Fewer indexes on review_record, and LZ4 compression for its long values, so that large imports write less.

Dropped: the single-column indexes on review and search_file (each leads a composite index or the unique
position constraint), the varchar_pattern_ops copies of the DOI and PMID indexes (no query matches them by
prefix), and the full indexes on links imported records never have (merged_into, report_of, added_by), which
become partial indexes over the rows that have one.

On PostgreSQL, raw and abstract are compressed with LZ4 instead of pglz: on a 100,000-record RIS file pglz
compression was about a third of PostgreSQL's time in the COPY. Only new values are written with LZ4; a server
built without LZ4 keeps pglz.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

LONG_VALUES = ("raw", "abstract")


def _set_compression(schema_editor, method):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    columns = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in LONG_VALUES)
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(f"ALTER TABLE review_record {columns}")
    except DatabaseError:
        if method == "pglz":
            raise
        # A server built without LZ4 support: keep its default compression.


def compress_with_lz4(apps, schema_editor):
    _set_compression(schema_editor, "lz4")


def compress_with_pglz(apps, schema_editor):
    _set_compression(schema_editor, "pglz")


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0004_record_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='record',
            name='added_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='record',
            name='doi',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name='record',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='review.record'),
        ),
        migrations.AlterField(
            model_name='record',
            name='pmid',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='record',
            name='report_of',
            field=models.ForeignKey(blank=True, db_index=False, help_text='This record is an additional report of that study (PRISMA counts studies and reports apart)', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='additional_reports', to='review.record'),
        ),
        migrations.AlterField(
            model_name='record',
            name='review',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='records', to='review.review'),
        ),
        migrations.AlterField(
            model_name='record',
            name='search_file',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='review.searchfile'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(fields=['doi'], name='record_doi'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(fields=['pmid'], name='record_pmid'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='record_merged_into'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(condition=models.Q(('report_of__isnull', False)), fields=['report_of'], name='record_report_of'),
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(condition=models.Q(('added_by__isnull', False)), fields=['added_by'], name='record_added_by'),
        ),
        migrations.RunPython(compress_with_lz4, compress_with_pglz, elidable=False),
    ]
