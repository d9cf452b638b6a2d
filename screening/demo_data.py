"""The demo review's records and their screening history, generated (seeded, so every `make run` shows the same
review) so that each page has something to show: records from two databases with duplicates, votes that agree
and one conflict, records waiting for a second reviewer, full texts, a report not retrieved, tags and a note.
Nothing is downloaded; the titles are built from a small vocabulary of the demo review's topic."""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from review.models import MergeEvent, Record, Review, Search
from review.services.labels import note_add, tag_add
from screening.models import Stage
from screening.pdf_make import make_pdf
from screening.services.config import exclusion_reason_add
from screening.services.fulltexts import fulltext_mark_not_retrieved, fulltext_upload
from screening.services.queue import outcomes_sync
from screening.services.votes import VoteInput, vote_cast

_METHODS = ["Fine-tuning", "Feature extraction", "Domain adaptation", "Pretrained transformer", "Transfer learning"]
_DATA = [
    "electrocardiograms",
    "intensive care time series",
    "electronic health records",
    "heart sound recordings",
    "clinical notes",
    "EEG recordings",
    "wearable sensor data",
    "speech recordings",
]
_TASKS = ["arrhythmia detection", "sepsis prediction", "mortality prediction", "seizure detection",
          "depression screening", "readmission risk", "sleep staging", "delirium detection"]  # fmt: skip
_SURNAMES = ["Garcia", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Novak", "Singh", "Haddad", "Keller", "Rossi"]
_JOURNALS = ["Journal of Biomedical Informatics", "BMC Medical Informatics and Decision Making",
             "IEEE Journal of Biomedical and Health Informatics", "Scientific Reports", "JAMIA"]  # fmt: skip


def _work(rng: random.Random, n: int) -> dict:
    method, data, task = rng.choice(_METHODS), rng.choice(_DATA), rng.choice(_TASKS)
    title = f"{method} on {data} for {task}: study {n}"
    imaging = n % 7 == 3
    if imaging:
        title = f"{method} of chest radiographs for {task}: study {n}"
    abstract = (
        f"Background: {task.capitalize()} from {('chest radiographs' if imaging else data)} is hard with small "
        f"labelled sets. Methods: we applied {method.lower()} from a model pretrained on a large public corpus "
        f"to {rng.randint(120, 9000)} patients. Results: the area under the curve was 0.{rng.randint(70, 97)}. "
        "Conclusion: transfer learning helps where clinical labels are scarce."
    )
    return {
        "title": title,
        "abstract": abstract,
        "authors": [f"{rng.choice(_SURNAMES)} {chr(65 + rng.randint(0, 25))}" for _ in range(rng.randint(2, 5))],
        "year": rng.randint(2016, 2024),
        "journal": rng.choice(_JOURNALS),
        "doi": f"10.5555/demo.{n:04d}",
        "pmid": str(31000000 + n),
        "keywords": ["transfer learning", data, task],
    }


@transaction.atomic
def demo_screening_seed(*, review: Review, lead: User, reviewers: list[User]) -> dict[str, int]:
    """Fill an empty demo review. Returns counts for the command to print."""
    rng = random.Random(17)
    first, second = reviewers[0], reviewers[1]
    pubmed = Search.objects.create(
        review=review, database="PubMed", query="transfer learning AND clinical", created_by=lead
    )
    embase = Search.objects.create(review=review, database="Embase", platform="embase.com", created_by=lead)
    works = [_work(rng, n) for n in range(1, 49)]
    records = [
        Record(review=review, search=pubmed, position=i, source_database="PubMed", added_by=lead, **work)
        for i, work in enumerate(works, start=1)
    ]
    Record.objects.bulk_create(records)
    # Embase returns eight of the same works (one kept apart as a duplicate of each) and four of its own.
    embase_fields = {"review": review, "search": embase, "source_database": "Embase", "added_by": lead}
    copies = [
        Record(position=i, **embase_fields, **{**works[n], "title": works[n]["title"].upper()})
        for i, n in enumerate(range(40, 48), 1)
    ]
    own = [Record(position=9 + i, **embase_fields, **_work(rng, 100 + i)) for i in range(4)]
    Record.objects.bulk_create(copies + own)
    kept = {r.doi: r for r in Record.objects.filter(search=pubmed)}
    for copy in copies:
        copy.merged_into = kept[copy.doi]
        copy.save(update_fields=["merged_into"])
        MergeEvent.objects.create(
            review=review, record=copy, kept=kept[copy.doi], rule="same DOI and title", score=1.0, decided_by=lead
        )
    outcomes_sync(review=review)
    reasons = [exclusion_reason_add(review=review, by=lead, label=label) for label in
               ("Non-clinical research", "Did not use transfer learning", "Imaging only")]  # fmt: skip
    ordered = list(Record.objects.filter(search=pubmed).order_by("position"))
    ta = Stage.TITLE_ABSTRACT

    def cast(user: User, record: Record, choice: str, stage: str = ta, reason: int | None = None) -> None:
        vote_cast(review=review, record=record, stage=stage, reviewer=user, data=VoteInput(choice, reason_id=reason))

    included = []
    for record in ordered[:18]:
        imaging = "radiograph" in record.title
        choice = "exclude" if imaging or (record.year and record.year < 2017) else "include"
        cast(first, record, choice)
        cast(second, record, choice)
        if choice == "include":
            included.append(record)
    cast(first, ordered[18], "include")
    cast(second, ordered[18], "exclude")  # a conflict for the lead or the arbiter
    cast(first, ordered[19], "maybe")
    cast(second, ordered[19], "include")
    for record in ordered[20:24]:
        cast(first, record, "exclude")  # waiting for a second reviewer
    # Full text: PDFs for most included records, one report not retrieved, two decided.
    fulltexts = 0
    for record in included[:-1]:
        page = [record.title, ", ".join(record.authors), f"{record.journal} {record.year}", f"doi: {record.doi}"]
        pdf = make_pdf([*page, "", record.abstract], title=record.title, doi=record.doi)
        fulltext_upload(review=review, record=record, by=lead, upload=SimpleUploadedFile("paper.pdf", pdf))
        fulltexts += 1
    if included:
        fulltext_mark_not_retrieved(
            review=review, record=included[-1], by=lead, note="Library, interlibrary loan and authors tried"
        )
    for record in included[:2]:
        cast(first, record, "include", Stage.FULL_TEXT)
        cast(second, record, "include", Stage.FULL_TEXT)
    if len(included) > 2:
        cast(first, included[2], "exclude", Stage.FULL_TEXT, reasons[0].pk)
    tag_add(review=review, record=ordered[0], name="ECG", by=first)
    tag_add(review=review, record=ordered[1], name="check abstract", by=lead)
    note_add(review=review, record=ordered[1], text="The abstract is cut off in the PubMed export.", by=lead)
    return {"records": len(records) + len(copies) + len(own), "duplicates": len(copies), "fulltexts": fulltexts}
