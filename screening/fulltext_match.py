"""Matching full-text PDFs to records: pure functions over plain dataclasses (no database).

Order of evidence, strongest first: a DOI in the PDF's metadata, a DOI or PMID on its first page (later pages
cite other works' DOIs in their references, so they are not read), the file name (a DOI, a PMID or
"record-123"), then the record's title on the first page. A title found whole is certain; a close title
(rapidfuzz partial ratio >= 90) is proposed as uncertain for a person to confirm; anything else is unmatched.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from review.dedup.normalise import norm_title
from review.importers.normalise import doi_from

_PMID_TEXT = re.compile(r"\bPMID:?\s*(\d{6,9})\b", re.IGNORECASE)
_PMID_NAME = re.compile(r"(?<!\d)(\d{7,8})(?!\d)")
_RECORD_NAME = re.compile(r"record[-_ ]?(\d+)", re.IGNORECASE)
_DOI_ANY = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+")
TITLE_CERTAIN_MIN_CHARS = 25  # a short title ("Editorial") found on a page proves nothing
TITLE_CLOSE = 90.0
MAX_ZIP_MEMBERS = 1000


@dataclass(frozen=True, slots=True)
class Candidate:
    record_id: int
    doi: str
    pmid: str
    title: str


@dataclass(frozen=True, slots=True)
class PdfFacts:
    name: str
    meta_dois: tuple[str, ...] = ()
    page_dois: tuple[str, ...] = ()
    page_pmids: tuple[str, ...] = ()
    first_page: str = ""  # normalised text of the first page (and the metadata title)
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    record_id: int | None
    method: str  # doi-metadata, doi, pmid, file-name, title, title-close, none
    score: float
    certain: bool
    alternatives: tuple[int, ...] = field(default=())


def _dois(text: str) -> tuple[str, ...]:
    found = []
    for raw in _DOI_ANY.findall(text):
        doi = doi_from(raw)
        if doi and doi not in found:
            found.append(doi)
    return tuple(found)


def pdf_facts(name: str, data: bytes) -> PdfFacts:
    """What a PDF says about itself: metadata, and the DOIs, PMIDs and words of its first page."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        meta: dict[str, object] = dict(reader.metadata or {})
        meta_text = " ".join(str(value) for value in meta.values() if isinstance(value, str))
        page = reader.pages[0].extract_text() if reader.pages else ""
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as error:
        return PdfFacts(name=name, problem=f"could not read the PDF: {error}"[:200])
    page = page or ""
    title = str(meta.get("/Title", "") or "")
    return PdfFacts(
        name=name,
        meta_dois=_dois(meta_text),
        page_dois=_dois(page),
        page_pmids=tuple(dict.fromkeys(_PMID_TEXT.findall(page))),
        first_page=norm_title(f"{title} {page}"),
    )


def _one(ids: list[int]) -> int | None:
    unique = list(dict.fromkeys(ids))
    return unique[0] if len(unique) == 1 else None


def match(facts: PdfFacts, candidates: list[Candidate]) -> Match:
    by_doi: dict[str, list[int]] = {}
    by_pmid: dict[str, list[int]] = {}
    for c in candidates:
        if c.doi:
            by_doi.setdefault(c.doi.lower(), []).append(c.record_id)
        if c.pmid:
            by_pmid.setdefault(c.pmid, []).append(c.record_id)
    for method, dois in (("doi-metadata", facts.meta_dois), ("doi", facts.page_dois)):
        hits = [rid for doi in dois for rid in by_doi.get(doi, [])]
        if hits:
            only = _one(hits)
            return Match(only or hits[0], method, 1.0, only is not None, tuple(dict.fromkeys(hits)))
    hits = [rid for pmid in facts.page_pmids for rid in by_pmid.get(pmid, [])]
    if hits:
        only = _one(hits)
        return Match(only or hits[0], "pmid", 1.0, only is not None, tuple(dict.fromkeys(hits)))
    named = _by_name(facts.name, candidates, by_doi, by_pmid)
    if named is not None:
        return named
    return _by_title(facts, candidates)


def _by_name(
    name: str, candidates: list[Candidate], by_doi: dict[str, list[int]], by_pmid: dict[str, list[int]]
) -> Match | None:
    stem = name.rsplit("/", 1)[-1].removesuffix(".pdf").removesuffix(".PDF")
    ids = {c.record_id for c in candidates}
    record = _RECORD_NAME.search(stem)
    if record and int(record.group(1)) in ids:
        return Match(int(record.group(1)), "file-name", 1.0, True)
    for text in (stem, stem.replace("_", "/")):
        doi = doi_from(text)
        if doi and by_doi.get(doi):
            hits = by_doi[doi]
            return Match(hits[0], "file-name", 1.0, len(set(hits)) == 1, tuple(hits))
    for pmid in _PMID_NAME.findall(stem):
        if by_pmid.get(pmid):
            hits = by_pmid[pmid]
            return Match(hits[0], "file-name", 1.0, len(set(hits)) == 1, tuple(hits))
    return None


def _by_title(facts: PdfFacts, candidates: list[Candidate]) -> Match:
    page = facts.first_page
    if not page:
        return Match(None, "none", 0.0, False)
    titles = [(norm_title(c.title), c.record_id) for c in candidates]
    whole = [(len(title), rid) for title, rid in titles if len(title) >= TITLE_CERTAIN_MIN_CHARS and title in page]
    if whole:
        # "… study 1" is inside "… study 11": the longest title found is the one the page carries.
        longest = max(length for length, _rid in whole)
        best = [rid for length, rid in whole if length == longest]
        only = _one(best)
        return Match(only or best[0], "title", 1.0, only is not None, tuple(dict.fromkeys(rid for _n, rid in whole)))
    scored = sorted(
        ((fuzz.partial_ratio(title, page), rid) for title, rid in titles if len(title) >= TITLE_CERTAIN_MIN_CHARS),
        reverse=True,
    )
    if scored and scored[0][0] >= TITLE_CLOSE:
        return Match(scored[0][1], "title-close", scored[0][0] / 100, False, tuple(rid for _s, rid in scored[:3]))
    return Match(None, "none", scored[0][0] / 100 if scored else 0.0, False, tuple(rid for _s, rid in scored[:3]))


def pdfs_in_upload(name: str, data: bytes, *, max_member_bytes: int, max_total_bytes: int) -> list[tuple[str, bytes]]:
    """The PDFs of one upload: the file itself, or each PDF inside a zip (folders flattened, hidden files and
    oversized members left out; nothing is written to disk)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [(name, data)]
    found: list[tuple[str, bytes]] = []
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()][:MAX_ZIP_MEMBERS]
        for member in members:
            base = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if base.startswith(".") or "__MACOSX" in member.filename or not base.lower().endswith(".pdf"):
                continue
            if member.file_size > max_member_bytes:
                continue
            total += member.file_size
            if total > max_total_bytes:
                break
            found.append((base, archive.read(member)))
    return found
