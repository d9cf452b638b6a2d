"""In a real browser, a lead imports a PubMed .nbib, an embase.com RIS and an EBSCO (CINAHL) RIS: each file shows
its preview (format, database, record count, first records, problems), the jobs show their progress while they
wait for a worker and their outcome when done, and the records page lists the right records with their database.
Deduplication after each import merges the study found in PubMed and Embase and queues a possible duplicate, which
the lead judges different with the D key; a later run keeps to that verdict."""

from __future__ import annotations

from playwright.sync_api import expect

from review.models import DedupRun, DuplicateDecision, Job, PossibleDuplicate, Record, Search, SearchFile
from review.services.reviews import review_create
from review.tasks import search_file_import_task, search_file_preview_task
from tests.e2e.conftest import EXPORTS, add_search, browser_tests, check_preview, upload

pytestmark = browser_tests()


def test_lead_imports_pubmed_embase_and_cinahl_exports(log_in, people, live_server, held_tasks):
    lena = people["lena"]
    review = review_create(by=lena, title="Transfer learning on clinical data")  # lena becomes its lead
    lead = log_in(lena)
    page = lead.page
    base = f"{live_server.url}/reviews/{review.slug}"

    # PubMed: the preview job waits for a worker first, and the page says so while it polls.
    pubmed = EXPORTS[0]
    add_search(page, base, pubmed)
    held_tasks.hold(search_file_preview_task)
    upload(page, pubmed)
    status = page.locator("#import-status")
    expect(status.locator("h2")).to_have_text("Reading the file")
    expect(status.get_by_role("progressbar")).to_be_visible()
    assert SearchFile.objects.get(original_name="pubmed.nbib").status == SearchFile.Status.UPLOADED
    assert held_tasks.run_all() == 1  # the worker picks the preview up; the polling page shows its result
    held_tasks.release(search_file_preview_task)
    check_preview(page, pubmed)
    expect(status.get_by_role("progressbar")).to_have_count(0)
    page.click("#confirm-import")
    expect(page.locator(".msg-success", has_text="records imported")).to_contain_text("3 records imported")

    # Embase: the import job waits for a worker, with its progress bar, then completes on the same page.
    embase = EXPORTS[1]
    add_search(page, base, embase)
    upload(page, embase)
    check_preview(page, embase)
    held_tasks.hold(search_file_import_task)
    page.click("#confirm-import")
    expect(status.locator("h2", has_text="Importing")).to_be_visible()
    expect(status.get_by_role("progressbar")).to_be_visible()
    expect(status).to_contain_text("waiting for a worker")
    embase_file = SearchFile.objects.get(original_name="embase.ris")
    assert embase_file.status == SearchFile.Status.IMPORTING
    assert not Record.objects.filter(search_file=embase_file).exists()
    assert held_tasks.run_all() == 1
    held_tasks.release(search_file_import_task)
    expect(status.locator(".msg-success")).to_contain_text("3 records imported")
    expect(status.get_by_role("progressbar")).to_have_count(0)

    # CINAHL through EBSCOhost: one unknown tag is reported; the copyright line is not part of the abstract.
    cinahl = EXPORTS[2]
    add_search(page, base, cinahl)
    upload(page, cinahl)
    check_preview(page, cinahl)
    page.click("#confirm-import")
    expect(status.locator(".msg-success")).to_contain_text("2 records imported")

    # The database rows.
    files = {f.original_name: f for f in SearchFile.objects.filter(review=review)}
    assert {name: (f.status, f.format, f.detected_database, f.record_count) for name, f in files.items()} == {
        "pubmed.nbib": ("imported", "nbib", "PubMed", 3),
        "embase.ris": ("imported", "ris", "Embase", 3),
        "cinahl.ris": ("imported", "ris", "CINAHL", 2),
    }
    assert files["cinahl.ris"].problem_count == 1
    assert Job.objects.filter(review=review, kind__startswith="import").exclude(state="succeeded").count() == 0
    for export in EXPORTS:
        search = Search.objects.get(review=review, database=export.database)
        records = Record.objects.filter(search=search).order_by("position")
        assert [r.title for r in records] == list(export.titles)
        assert {r.source_database for r in records} == {export.detected}
    embase_ecg = Record.objects.get(search__database="Embase", position=1)
    assert ["DB", "Embase"] in embase_ecg.raw and ["DB", "Medline"] in embase_ecg.raw  # both DB lines kept
    assert embase_ecg.doi == "10.5555/jelectrocard.2021.0101" and embase_ecg.pmid == "35000101"
    for record in Record.objects.filter(search__database="CINAHL"):
        assert "Copyright" not in record.abstract
    assert Record.objects.get(search__database="CINAHL", position=2).doi == "10.5555/jwn.2021.0142"  # from L3

    # Deduplication ran after each import: the ECG study found in PubMed and Embase is one record now, and the
    # intensive care study (Embase and CINAHL, different journals) waits for a person.
    merged = Record.objects.filter(review=review, merged_into__isnull=False)
    assert [r.pmid for r in merged] == ["35000101"]
    assert PossibleDuplicate.objects.filter(review=review, decision__isnull=True).count() == 1

    # The records page: every record with its source, the duplicate marked.
    page.goto(f"{base}/records/")
    table = page.locator("#record-table")
    expect(table.locator("p.help")).to_have_text("8 records")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(8)
    for export in EXPORTS:
        search = Search.objects.get(review=review, database=export.database)
        for record in Record.objects.filter(search=search):
            row = rows.filter(has=page.locator(f"a[href$='/records/{record.pk}/']"))
            expect(row).to_contain_text(record.title[:60])
            expect(row.locator("td").nth(5)).to_have_text(search.label)
    expect(table.locator(".badge", has_text="duplicate")).to_have_count(1)

    # Filtered by database (htmx swaps the table and the address): each database lists its own records.
    for export in EXPORTS:
        page.select_option("select[name=database]", export.database)
        count = len(export.titles)
        expect(table.locator("p.help")).to_have_text(f"{count} records")
        expect(rows).to_have_count(count)
        for n, title in enumerate(export.titles):
            expect(rows.nth(n).locator("td").nth(1)).to_contain_text(title[:60])
            expect(rows.nth(n).locator("td").nth(5)).to_contain_text(export.database)
        assert f"database={export.database}" in page.url

    # A record's page names the database written in the record.
    page.goto(f"{base}/records/{embase_ecg.pk}/")
    expect(page.locator("dl.facts", has_text="Database in the record")).to_contain_text("Embase")

    # The possible duplicate, judged different with D; a later run keeps to that verdict.
    page.goto(f"{base}/duplicates/possible/")
    expect(page.locator("#possible-pair")).to_contain_text("differs: different-journal")
    page.keyboard.press("d")
    expect(page.locator("#possible-pair")).to_contain_text("No possible duplicates left to check.")
    decision = DuplicateDecision.objects.get(review=review)
    assert (decision.same, decision.decided_by) == (False, lena)
    page.goto(f"{base}/duplicates/")
    page.click("#run-dedup")
    expect(page.locator("#dedup-status .msg-success")).to_contain_text("Last run")
    expect(page.locator("#possible-count")).to_have_text("0")
    expect(page.locator("#duplicates-removed")).to_have_text("1")
    assert DedupRun.objects.filter(review=review).count() == 4  # after each of the three imports, and this one
    assert not PossibleDuplicate.objects.filter(review=review, decision__isnull=True).exists()
    assert Record.objects.filter(review=review, merged_into__isnull=False).count() == 1
    assert lead.console_errors() == []
