"""Synthetic labelled record sets for scale runs: perturbed copies of corpus-like works with known groups.

Works are built from seed records (read at run time, never stored) or, without seeds, from a small built-in
vocabulary. Each work is exported 1..5 times with the damage real databases do (abbreviated journals,
"283-98" pages, DOI URLs, HTML in titles, bracketed translations, initials, ahead-of-print years, missing
fields, typos), and some works get the traps that make deduplication hard: supplement abstracts sharing one DOI,
the meeting abstract and the later article, errata, generic titles, near-identical titles by other authors.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from review.dedup.model import DedupRecord

__all__ = ["generate"]

_WORDS = """
    effect therapy patients randomized trial outcome cohort cervical screening stroke rehabilitation
    diabetes insulin glucose incretin receptor copper infection hospital surface bacteria cytology
    papillomavirus testing women risk mortality analysis systematic review meta clinical study
    evaluation treatment acute chronic cognitive memory attention training motor function gait robot
    assisted inhibitor vascular atherosclerosis mice rats endothelial inflammation oxidative stress
    kidney injury cardiac failure prevention management follow long term early detection marker
    expression protein signalling pathway cells tissue model novel approach comparison versus
    placebo controlled double blind pilot feasibility quality life adults children elderly community
    primary care intervention program costs population
""".split()  # noqa: SIM905 (a word list reads better as text)
_SURNAMES = """
    Smith Jones Wang Li Zhang Chen Liu Kim Park Nguyen Muller Schmidt Rossi Russo Garcia Martinez
    Lopez Silva Santos Kowalski Nowak Novak Jensen Hansen Larsen Andersson Johansson Virtanen Dubois
    Moreau Martin Bernard Tanaka Suzuki Sato Watanabe Yamamoto Singh Kumar Patel Shah Cohen Levi
    Brown Taylor Wilson Davies Evans Thomas Roberts Walker Wright Thompson White Hughes Edwards
    Green Hall Wood Harris Clarke Jackson Turner Hill Moore Cooper Ward Morris King Baker Harrison
    Morgan Allen Young Scott Mitchell
""".split()  # noqa: SIM905 (a word list reads better as text)
_JOURNALS = (
    ("Journal of Clinical Investigation", "J Clin Invest"),
    ("American Journal of Obstetrics and Gynecology", "Am J Obstet Gynecol"),
    ("Archives of Physical Medicine and Rehabilitation", "Arch Phys Med Rehabil"),
    ("European Heart Journal", "Eur Heart J"),
    ("Journal of Hospital Infection", "J Hosp Infect"),
    ("Diabetes and Metabolism", "Diabetes Metab"),
    ("Cancer Epidemiology, Biomarkers and Prevention", "Cancer Epidemiol Biomarkers Prev"),
    ("Journal of the American College of Cardiology", "J Am Coll Cardiol"),
    ("International Journal of Cancer", "Int J Cancer"),
    ("Brain Injury", "Brain Inj"),
    ("Current Opinion in Lipidology", "Curr Opin Lipidol"),
    ("Infection Control and Hospital Epidemiology", "Infect Control Hosp Epidemiol"),
)
_GENERIC = ("Editorial", "Erratum", "Reply", "Introduction", "Diabetes mellitus", "Stroke", "Commentary")


class _Builder:
    def __init__(self, rng: random.Random, seeds: Sequence[DedupRecord]) -> None:
        self.rng = rng
        self.seeds = [s for s in seeds if len(s.title) > 30]
        words = [w for s in self.seeds for w in re.findall(r"[A-Za-z][a-z]{3,}", s.title)]
        self.words = sorted(set(words)) or _WORDS
        journals = sorted({s.journal for s in self.seeds if 5 < len(s.journal) < 80})
        self.journals = [(j, _abbreviate(j)) for j in journals] or list(_JOURNALS)
        self.abstracts = [s.abstract for s in self.seeds if len(s.abstract) > 200] or [
            " ".join(rng.choice(_WORDS) for _ in range(120))
        ]
        self.counter = 0

    def _title(self) -> str:
        rng = self.rng
        if self.seeds and rng.random() < 0.7:
            # A seed title with a third of its words replaced: corpus-like, and a near miss for its seed.
            words = rng.choice(self.seeds).title.split()
            for _ in range(max(2, len(words) // 3)):
                words[rng.randrange(len(words))] = rng.choice(self.words)
            return " ".join(words)
        return " ".join(rng.choice(self.words) for _ in range(rng.randint(6, 16))).capitalize()

    def _authors(self) -> list[tuple[str, str]]:
        rng = self.rng
        return [
            (rng.choice(_SURNAMES) + rng.choice(("", "", "son", "ova", "er", "i")), _initials(rng))
            for _ in range(rng.randint(1, 8))
        ]

    def work(self) -> tuple[DedupRecord, list[tuple[str, str]], tuple[str, str]]:
        rng = self.rng
        self.counter += 1
        authors = self._authors()
        journal = rng.choice(self.journals)
        first = rng.randint(1, 2000)
        year = rng.randint(1995, 2024)
        volume = str(rng.randint(1, 200))
        abstract = rng.choice(self.abstracts)
        # Shuffle the abstract's sentences so that works made from one seed abstract do not share a text.
        sentences = abstract.split(". ")
        rng.shuffle(sentences)
        record = DedupRecord(
            id="",
            title=self._title(),
            authors=_format_authors(authors, style=0),
            year=year,
            journal=journal[0],
            volume=volume,
            issue=str(rng.randint(1, 12)),
            pages=f"{first}-{first + rng.randint(3, 15)}",
            doi=f"10.{rng.randint(1000, 9999)}/syn.{self.counter}.{rng.randint(0, 10**6)}",
            abstract=". ".join(sentences),
            isbn_issn="",
        )
        return record, authors, journal


def _abbreviate(journal: str) -> str:
    words = [w for w in re.split(r"\W+", journal) if w and w.lower() not in {"of", "the", "and", "in", "for"}]
    return " ".join(w if len(w) <= 5 else w[: max(3, len(w) // 2)] for w in words)


def _initials(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(rng.randint(1, 2)))


def _format_authors(authors: list[tuple[str, str]], *, style: int) -> str:
    if style == 0:
        return " and ".join(f"{s}, {' '.join(i)}." for s, i in authors)
    if style == 1:
        return "; ".join(f"{s} {i}" for s, i in authors)
    return "".join(f"{s} {'. '.join(i)}." for s, i in authors)  # glued, as some exports do


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 10:
        return text
    pos = rng.randrange(1, len(text) - 1)
    return (
        text[:pos] + text[pos + 1 :] if rng.random() < 0.5 else text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    )


def _copy(
    work: DedupRecord, authors: list[tuple[str, str]], journal: tuple[str, str], rng: random.Random
) -> DedupRecord:
    """One more export of the same work, damaged the way databases damage records."""
    title = work.title
    r = rng.random()
    if r < 0.15:
        title = title.upper() if rng.random() < 0.3 else title.lower()
    elif r < 0.25:
        title = "The " + title[0].lower() + title[1:]
    elif r < 0.32:
        title = f"[{title}]"
    elif r < 0.38:
        words = title.split()
        words[len(words) // 2] = f"<i>{words[len(words) // 2]}</i>"
        title = " ".join(words)
    elif r < 0.45:
        title = _typo(title, rng)
    elif r < 0.5:
        title = title + ". [Review] [42 refs]"
    if rng.random() < 0.3:
        title = title.rstrip(".") + "."
    shown = authors if rng.random() < 0.8 else authors[:3]
    first, _, last = work.pages.partition("-")
    pages = work.pages
    if last and rng.random() < 0.4:
        common = 0
        while common < min(len(first), len(last)) - 1 and first[common] == last[common]:
            common += 1
        pages = f"{first}-{last[common:]}"
    year = work.year
    if rng.random() < 0.08:
        year = int(str(work.year)) - 1  # ahead of print
    doi = work.doi
    r = rng.random()
    doi = "" if r < 0.3 else f"https://doi.org/{doi}" if r < 0.45 else f"doi:{doi.upper()}" if r < 0.55 else doi
    return replace(
        work,
        title=title,
        authors=_format_authors(shown, style=rng.randint(0, 2)),
        year=str(year) if rng.random() < 0.5 else year,
        journal=journal[1] if rng.random() < 0.5 else journal[0],
        volume="" if rng.random() < 0.05 else work.volume,
        issue="" if rng.random() < 0.3 else work.issue,
        pages="" if rng.random() < 0.05 else pages,
        doi=doi,
        abstract="" if rng.random() < 0.2 else work.abstract + (" (c) 2020 Elsevier." if rng.random() < 0.2 else ""),
    )


def _traps(
    builder: _Builder, record: DedupRecord, authors: list[tuple[str, str]], rng: random.Random
) -> list[DedupRecord]:
    """Different works that look like `record`; each becomes its own group."""
    kind = rng.random()
    if kind < 0.15:  # the same team's next paper in the same journal: one word of the title changed
        words = record.title.split()
        words[rng.randrange(len(words))] = rng.choice(builder.words)
        first = rng.randint(1, 2000)
        sibling = replace(
            record,
            title=" ".join(words),
            pages="" if rng.random() < 0.5 else f"{first}-{first + 9}",  # often still ahead of print
            doi="",
            abstract=" ".join(rng.choice(_WORDS) for _ in range(70)),
        )
        return [sibling] if sibling.title != record.title else []
    if kind < 0.3:  # the meeting abstract that preceded the article
        return [
            replace(
                record,
                journal=f"{rng.choice(builder.journals)[0]}. Conference: Annual Meeting",
                volume=str(rng.randint(1, 200)),
                issue="Suppl 1",
                pages=f"A{rng.randint(1, 900)}",
                year=int(str(record.year)) - 1,
                doi="",
                abstract=" ".join(rng.choice(_WORDS) for _ in range(60)),
            )
        ]
    if kind < 0.45:  # an erratum to it
        return [replace(record, title=f"Erratum: {record.title}", pages=str(rng.randint(1, 2000)), abstract="", doi="")]
    if kind < 0.65:  # the same title by another team, elsewhere
        other = builder._authors()
        return [
            replace(
                record,
                authors=_format_authors(other, style=0),
                journal=rng.choice(builder.journals)[0],
                year=int(str(record.year)) + rng.choice((0, 2, 3)),
                pages=f"{rng.randint(1, 900)}-{rng.randint(901, 999)}",
                doi="",
                abstract=" ".join(rng.choice(_WORDS) for _ in range(80)),
            )
        ]
    if kind < 0.85:  # abstracts in one supplement sharing its DOI
        doi = f"10.{rng.randint(1000, 9999)}/suppl.{rng.randint(0, 10**6)}"
        siblings = []
        for _ in range(rng.randint(2, 3)):
            sib, _, _ = builder.work()
            siblings.append(replace(sib, doi=doi, journal=record.journal, volume=record.volume, issue="Suppl 2"))
        return siblings
    generic = rng.choice(_GENERIC)
    return [
        replace(
            builder.work()[0],
            title=generic,
            authors=_format_authors(builder._authors()[:1], style=0),
            doi="",
            abstract="",
        )
    ]


def generate(
    n_records: int, *, seeds: Sequence[DedupRecord] = (), seed: int = 0
) -> tuple[list[DedupRecord], dict[str, str]]:
    """About n_records records and their true groups (record id -> group id), reproducible from `seed`."""
    rng = random.Random(seed)
    builder = _Builder(rng, seeds)
    records: list[DedupRecord] = []
    truth: dict[str, str] = {}

    def add(record: DedupRecord, group: str) -> None:
        rid = f"s{len(records) + 1:07d}"
        records.append(replace(record, id=rid))
        truth[rid] = group

    group_no = 0
    while len(records) < n_records:
        group_no += 1
        work, authors, journal = builder.work()
        group = f"g{group_no:07d}"
        add(work, group)
        extra = rng.choices((0, 1, 2, 3, 4), weights=(45, 30, 14, 7, 4))[0]
        for _ in range(extra):
            add(_copy(work, authors, journal, rng), group)
        if rng.random() < 0.08:
            for trap in _traps(builder, work, authors, rng):
                group_no += 1
                add(trap, f"g{group_no:07d}")
    # Databases export in their own orders; the engine must not care.
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order][:n_records], truth
