"""review_record on PostgreSQL: few enough indexes for fast imports yet one for every lookup, and cheap raw tags."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from review.importers import ParsedRecord
from review.models import Record, SearchFile
from review.services import imports


@pytest.fixture
def search(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase")


def _index_used(queryset) -> str:
    """The plan of a query with sequential scans priced out: which index (if any) can serve it."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes and column compression")


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.django_db
def test_record_table_keeps_only_the_indexes_its_queries_use():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'review_record'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {
        "review_record_pkey",
        "record_unique_position_in_file",
        "review_reco_review__f3ef2e_idx",  # (review, merged_into)
        "review_reco_review__c40e74_idx",  # (review, search)
        "review_record_search_id_c200ccad",
        "record_doi",
        "record_pmid",
        "record_merged_into",
        "record_report_of",
        "record_added_by",
    }


@pytest.mark.usefixtures("postgres_only")
def test_record_lookups_still_have_an_index(review, search, lead):
    record = Record.objects.create(review=review, search=search, position=1, title="T", added_by=lead)
    search_file = SearchFile.objects.create(review=review, search=search, original_name="f.ris", size=1, sha256="0")
    with transaction.atomic():
        cases = {
            "review_reco_review__": Record.objects.filter(review=review),
            "record_unique_position_in_file": Record.objects.filter(search_file=search_file),
            "record_merged_into": Record.objects.filter(merged_into=record),
            "record_report_of": Record.objects.filter(report_of=record),
            "record_added_by": Record.objects.filter(added_by=lead),
            # The records page's search box looks DOIs and PMIDs up by equality (records_for_review).
            "record_doi": Record.objects.filter(doi="10.1000/ecg.1"),
            "record_pmid": Record.objects.filter(pmid="31234567"),
        }
        for index, queryset in cases.items():
            assert index in _index_used(queryset), index
        # Counting a review's duplicates (PRISMA, the deduplication page) reads the partial index too.
        assert "record_merged_into" in _index_used(Record.objects.filter(merged_into__isnull=False))


@pytest.mark.usefixtures("postgres_only")
def test_long_values_are_compressed_with_lz4(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = 'review_record'::regclass AND attname IN ('raw', 'abstract')"
        )
        assert dict(cursor.fetchall()) == {"raw": "l", "abstract": "l"}


@pytest.mark.usefixtures("postgres_only")
def test_raw_is_json_text_that_reads_back_as_pairs(review, search, lead):
    pairs = [("TY", "JOUR"), ("TI", 'A "quoted" title'), ("N1", "back\\slash")]
    Record.objects.create(review=review, search=search, position=1, raw=pairs)
    with transaction.atomic():
        imports.records_store(
            review=review, search=search, search_file=None, records=[ParsedRecord(position=2, line=1, raw=pairs)]
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(raw)::text, raw::jsonb -> 1 ->> 1 FROM review_record ORDER BY position")
        assert cursor.fetchall() == [("text", 'A "quoted" title'), ("text", 'A "quoted" title')]
    assert [r.raw for r in Record.objects.order_by("position")] == [[list(p) for p in pairs]] * 2
    # Whole records still compare, as a DISTINCT over joined rows needs (PostgreSQL's json type could not).
    assert Record.objects.filter(review=review, search__review=review).distinct().count() == 2
