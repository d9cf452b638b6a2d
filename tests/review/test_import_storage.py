"""How imported records are stored: streamed from the parser, with COPY on PostgreSQL, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from review.importers import ImportFileError, ParsedRecord, parse, parse_stream
from review.models import AuditEvent, Record, Search, SearchFile
from review.services import imports
from review.services.imports import store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

# Values that COPY's text format and JSON must both carry through unchanged: backslashes (also a literal '\N',
# PostgreSQL's NULL marker), tabs, a continuation line, quotes, markup, non-Latin text and an emoji.
AWKWARD_RIS = (
    "TY  - JOUR\n"
    'TI  - Back\\slash \\N and\ttab in a "quoted" <i>title</i>\n'
    "AU  - Øster, Åse\n"
    "AU  - 王, 小明\n"
    "AB  - First line of the abstract\n"
    "      continues here \\. with a backslash-dot\n"
    "KW  - back\\slash\n"
    "KW  - 🧪 emoji\n"
    'N1  - {"not": ["json"]}\n'
    "ZZ  - an unknown tag\n"
    "PY  - n.d.\n"
    "ER  - \n"
    "TY  - JOUR\n"
    "TI  - \\N\n"
    "ER  - \n"
)


def numbered_ris(count: int) -> bytes:
    return "".join(f"TY  - JOUR\nTI  - Record {n}\nPY  - 2020\nER  - \n" for n in range(1, count + 1)).encode()


@pytest.fixture
def search(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase")


def stored_rows(**filters):
    return [model_to_dict(r, exclude=["id"]) for r in Record.objects.filter(**filters).order_by("position")]


def test_awkward_values_are_stored_as_parsed(review, search, lead):
    parsed = parse(AWKWARD_RIS.encode()).records
    with transaction.atomic():
        stored = imports.records_store(review=review, search=search, search_file=None, records=parsed)
    assert stored == 2
    first, second = Record.objects.order_by("position")
    assert first.title == parsed[0].title and "\\N" in first.title and "\t" not in first.title  # tab collapsed
    assert first.abstract == "First line of the abstract\ncontinues here \\. with a backslash-dot"
    assert first.authors == ["Øster, Åse", "王, 小明"] and first.year is None
    assert first.keywords == ["back\\slash", "🧪 emoji"]
    assert first.raw == [list(pair) for pair in parsed[0].raw]
    assert ["ZZ", "an unknown tag"] in first.raw and ["N1", '{"not": ["json"]}'] in first.raw
    assert second.title == "\\N"  # a literal backslash-N, not a NULL


def test_copy_stores_awkward_values_as_the_orm_does(review, search, lead):
    """PostgreSQL stores imports with COPY lines built by the service; every column must match the ORM's row."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    parsed = parse(AWKWARD_RIS.encode()).records
    imports.records_store(review=review, search=search, search_file=None, records=parsed)
    by_copy = stored_rows()
    Record.objects.all().delete()
    Record.objects.bulk_create([store._record_row(review, search, None, p) for p in parsed])
    by_orm = stored_rows()
    assert len(by_copy) == 2 and by_copy == by_orm


def test_copy_refuses_a_nul_character_and_writes_nothing(review, search, lead):
    """A NUL would otherwise be taken for a column boundary of the COPY line (PostgreSQL cannot store one)."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    record = ParsedRecord(position=1, line=1, title="Null\x00byte", raw=[("TI", "Null\x00byte")])
    with pytest.raises(ValueError), transaction.atomic():
        imports.records_store(review=review, search=search, search_file=None, records=[record])
    assert Record.objects.count() == 0


def test_every_original_tag_round_trips_to_the_record_page(
    as_reviewer, review, search, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(
            review=review, search=search, by=lead, name="awkward.ris", data=AWKWARD_RIS.encode()
        )
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    record = Record.objects.get(search_file=search_file, position=1)
    expected = parse(AWKWARD_RIS.encode()).records[0].raw
    assert record.raw == [list(pair) for pair in expected]
    page = as_reviewer.get(reverse("review:record", args=[review.slug, record.pk])).content.decode()
    assert f"Every original tag ({len(expected)})" in page
    for tag, _value in expected:
        assert f"<th>{tag}</th>" in page
    assert "Back\\slash \\N and" in page and "王, 小明" in page and "🧪 emoji" in page
    assert "&lt;i&gt;title&lt;/i&gt;" in page and "{&quot;not&quot;: [&quot;json&quot;]}" in page


def test_streamed_import_stores_the_rows_of_the_whole_parse(review, search, lead, django_capture_on_commit_callbacks):
    """The import job parses while it stores; the rows must be those of parsing the file first."""
    data = (FIXTURES / "ovid_medline.ris").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="ovid.ris", data=data)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    search_file.refresh_from_db()
    streamed = stored_rows(search_file=search_file)
    other = imports.search_create(review=review, by=lead, database="Embase")
    with transaction.atomic():
        imports.records_store(review=review, search=other, search_file=search_file, records=[])
        Record.objects.bulk_create([store._record_row(review, other, None, p) for p in parse(data).records])
    whole = stored_rows(search=other)
    assert search_file.status == SearchFile.Status.IMPORTED and search_file.record_count == len(streamed) > 1
    for row in (*streamed, *whole):
        del row["search"], row["search_file"]
    assert streamed == whole


def test_store_reports_progress_per_batch_of_a_stream(review, search, lead, monkeypatch):
    monkeypatch.setattr(store, "BATCH_SIZE", 2)
    seen: list[tuple[int, int]] = []
    stream = parse_stream(numbered_ris(5))
    with transaction.atomic():
        stored = imports.records_store(
            review=review, search=search, search_file=None, records=stream, progress=lambda *p: seen.append(p), total=5
        )
    assert stored == stream.count == Record.objects.count() == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert list(Record.objects.order_by("pk").values_list("title", flat=True)) == [f"Record {n}" for n in range(1, 6)]


def test_file_unreadable_while_streamed_writes_nothing(review, search, lead):
    # Asked to read a PubMed file as RIS: decoding succeeds, and only reading the records finds none.
    data = (FIXTURES / "pubmed.nbib").read_bytes()
    stream = parse_stream(data, format="ris")
    with pytest.raises(ImportFileError, match="No RIS record found"), transaction.atomic():
        imports.search_file_record_parsed(
            review=review, search=search, by=lead, name="p.nbib", data=data, result=stream
        )
    assert SearchFile.objects.count() == 0 and Record.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import.completed").exists()


def test_cli_second_file_unreadable_rolls_back_the_first(tmp_path, review, lead):
    good, bad = tmp_path / "embase.ris", tmp_path / "pubmed.nbib"
    good.write_bytes((FIXTURES / "embase.ris").read_bytes())
    bad.write_bytes((FIXTURES / "pubmed.nbib").read_bytes())
    with pytest.raises(CommandError, match=r"pubmed\.nbib: No RIS record found"):
        call_command(
            "import_records", str(good), str(bad), "--review", review.slug, "--database", "Embase", "--format", "ris"
        )
    assert Search.objects.count() == 0 and SearchFile.objects.count() == 0 and Record.objects.count() == 0


def test_cli_summary_counts_streamed_records_and_problems(tmp_path, capsys, review, lead):
    path = tmp_path / "awkward.ris"
    path.write_bytes(AWKWARD_RIS.encode())
    call_command("import_records", str(path), "--review", review.slug, "--database", "Embase", "--json")
    import json

    summary = json.loads(capsys.readouterr().out)
    expected = parse(AWKWARD_RIS.encode())
    assert summary[0]["records"] == 2 == Record.objects.count()
    assert [p["message"] for p in summary[0]["problems"]] == [p.message for p in expected.problems]
    search_file = SearchFile.objects.get()
    assert search_file.problem_count == len(expected.problems) and search_file.record_count == 2


def test_a_rejected_batch_stores_nothing_and_says_why(review, search, lead, monkeypatch):
    """The server refuses the second batch (a position taken twice in one file); the first is undone with it."""
    monkeypatch.setattr(store, "BATCH_SIZE", 2)
    search_file = SearchFile.objects.create(review=review, search=search, original_name="f.ris", size=1, sha256="0")
    records = [ParsedRecord(position=p, line=p, title=f"T{p}") for p in (1, 2, 3, 3, 4)]
    with pytest.raises(IntegrityError), transaction.atomic():
        imports.records_store(review=review, search=search, search_file=search_file, records=records)
    assert Record.objects.count() == 0


def test_foreign_keys_are_deferred_again_after_a_store(review, search, lead):
    """The store checks the records' links batch by batch, then leaves later statements checked at the commit."""
    with transaction.atomic():
        imports.records_store(review=review, search=search, search_file=None, records=parse(numbered_ris(3)).records)
        with transaction.atomic():
            # A link to a search that does not exist yet is allowed until the commit (Django's deferred keys).
            Record.objects.create(review=review, search_id=search.pk + 1000, position=9)
            transaction.set_rollback(True)
    assert Record.objects.count() == 3
