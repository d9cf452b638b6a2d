"""Trap sets: small labelled fixtures of records that look like duplicates and are not (and a few that are).

Modelled on the shapes of real exports (RIS/PubMed/Scopus fields as they arrive), written for the project: serial
editorials and columns, an article and its erratum / correction / retraction, comment and reply, a conference
abstract and the later paper, protocol and results, Part 1 and Part 2, Cochrane review versions, a translation,
one title in two journals, a preprint and its journal version (under each review setting), page ranges and
article numbers, and input that cannot be matched safely. tests/review/test_dedup_traps.py asserts every label;
bench/dedup.py prints them.

Labels: "same" (one group), "separate" (two groups; a person may be asked), "possible" (two groups and the pair
is in the queue for a person), "apart" (two groups, no question asked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord, DedupResult
from review.dedup.scoring import Versions

Label = Literal["same", "separate", "possible", "apart"]


@dataclass(frozen=True)
class Trap:
    name: str
    records: list[DedupRecord]
    expect: list[tuple[str, str, Label]]
    versions: Versions = "possible"
    note: str = field(default="")


# fmt: off
R = DedupRecord
JOS = "Journal of Organisational Strategy"

SERIAL_EDITORIALS = Trap(
    "serial editorials and columns",
    [
        R("ed1", "Editorial Introduction", "Whitfield, Margaret", 2019, JOS, "12", "1", "3-8", "10.1111/jos.12401"),
        R("ed2", "Editorial Introduction", "Whitfield, M.", 2019, JOS, "12", "2", "3-4", "10.1111/jos.12433"),
        R("ed3", "Editorial introduction", "Whitfield M", 2020, JOS, "12", "4", "3-6", "10.1111/jos.12478"),
        # The same editorial from a second database: DOI as a URL, title with a full stop, pages abbreviated.
        R("ed1b", "Editorial introduction.", "Whitfield M", 2019, "J Organ Strategy", "12", "1", "3-8",
          "https://doi.org/10.1111/JOS.12401"),
        R("col1", "Remarks from the Editor", "Okafor, Chidi", 2021, "Management Review Quarterly", "44", "1", "1-2"),
        R("col2", "Remarks from the Editor", "Okafor, Chidi", 2021, "Management Review Quarterly", "44", "2", "1-2"),
        R("col3", "Remarks from the editor", "Okafor, C.", 2021, "Management Review Quarterly", "44", "3", "1"),
        R("vw1", "Vorwort", "Hartmann, Ulrike", 2018, "Zeitschrift fur Betriebsforschung", "70", "", "1-2"),
        R("vw2", "Vorwort", "Hartmann, Ulrike", 2019, "Zeitschrift fur Betriebsforschung", "71", "", "1-2"),
        R("ec1", "Editor's comments", "Lindqvist, P.", 2022, "Academy of Strategy Review", "47", "2", "171-174",
          "10.5465/asr.2022.0101"),
        R("ec2", "Editor's comments", "Lindqvist, P.", 2022, "Academy of Strategy Review", "47", "3", "171-173",
          "10.5465/asr.2022.0188"),
    ],
    [
        ("ed1", "ed2", "separate"),
        ("ed1", "ed3", "separate"),
        ("ed2", "ed3", "separate"),
        ("ed1", "ed1b", "same"),
        ("col1", "col2", "separate"),
        ("col2", "col3", "separate"),
        ("col1", "col3", "separate"),
        ("vw1", "vw2", "separate"),
        ("ec1", "ec2", "separate"),
    ],
)

_STUDY = "Early mobilisation after hip fracture surgery and functional recovery at six months"
ERRATA = Trap(
    "article and its erratum, correction, retraction",
    [
        R("art", _STUDY, "Moreau, Claire; Tanaka, Hiroshi; Ibrahim, Sara", 2020, "Age and Ageing", "49", "5",
          "812-819", "10.1093/ageing/afaa101"),
        R("err", f"Erratum: {_STUDY}", "Moreau, Claire; Tanaka, Hiroshi; Ibrahim, Sara", 2020, "Age and Ageing", "49",
          "6", "1102", "10.1093/ageing/afaa188"),
        R("cor", f"Correction to: {_STUDY}", "Moreau C; Tanaka H; Ibrahim S", 2021, "Age and Ageing", "50", "1",
          "290", "10.1093/ageing/afaa233"),
        R("ret", f"Retraction notice to: {_STUDY}", "", 2022, "Age and Ageing", "51", "2", "afac030",
          "10.1093/ageing/afac030"),
    ],
    [("art", "err", "separate"), ("art", "cor", "separate"), ("art", "ret", "separate"), ("err", "cor", "separate")],
)

_CLAIM = "Does board diversity improve firm performance? Evidence from European listed companies"
COMMENT_REPLY = Trap(
    "comment and reply",
    [
        R("orig", _CLAIM, "Rossi, Giulia; Becker, Jonas", 2019, "Corporate Governance Review", "27", "4", "301-320"),
        R("com", f"Comment on: {_CLAIM}", "Novak, Petr", 2020, "Corporate Governance Review", "28", "1", "77-79"),
        R("rep", f"Reply to: Comment on {_CLAIM}", "Rossi, Giulia; Becker, Jonas", 2020,
          "Corporate Governance Review", "28", "1", "80-82"),
    ],
    [("orig", "com", "separate"), ("orig", "rep", "separate"), ("com", "rep", "separate")],
)

_CGM = "Continuous glucose monitoring and glycaemic control in adolescents with type 1 diabetes"
CONFERENCE = Trap(
    "conference abstract and the later paper",
    [
        R("abs", _CGM, "Schmidt, Anna; Patel, Raj; O'Brien, Kevin", 2019,
          "Diabetes. Conference: 79th Scientific Sessions of the American Diabetes Association", "68", "Supplement 1",
          "A112", "10.2337/db19-112-OR"),
        R("pap", _CGM, "Schmidt, Anna; Patel, Raj; O'Brien, Kevin; Nguyen, Linh", 2020, "Diabetes Care", "43", "4",
          "812-820", "10.2337/dc19-1843"),
    ],
    [("abs", "pap", "separate")],
)

PROTOCOL = Trap(
    "protocol and results paper",
    [
        R("prot",
          "Exercise therapy for chronic low back pain in primary care (BACKFIT): study protocol for a randomised "
          "controlled trial", "Andersen, Lars; Costa, Maria; Hughes, Tom", 2017, "Trials", "18", "", "455",
          "10.1186/s13063-017-2190-1"),
        R("res",
          "Exercise therapy for chronic low back pain in primary care (BACKFIT): a randomised controlled trial",
          "Andersen, Lars; Costa, Maria; Hughes, Tom", 2020, "BMJ", "368", "", "m512", "10.1136/bmj.m512"),
    ],
    [("prot", "res", "separate")],
)

_SERIES = "Family firms and succession planning: a longitudinal study of Nordic manufacturers"
PARTS = Trap(
    "Part I and Part II",
    [
        R("p1", f"{_SERIES}. Part I", "Eriksen, Bodil; Virtanen, Mikko", 2018, "Family Business Review", "31", "2",
          "145-166"),
        R("p2", f"{_SERIES}. Part II", "Eriksen, Bodil; Virtanen, Mikko", 2018, "Family Business Review", "31", "2",
          "167-188"),
        R("p3", f"{_SERIES}, part 2", "Eriksen B, Virtanen M", 2018, "Fam Bus Rev", "31", "3", "201-219"),
    ],
    [("p1", "p2", "separate"), ("p1", "p3", "separate"), ("p2", "p3", "separate")],
)

_CR = "Interventions for preventing falls in older people living in the community"
COCHRANE = Trap(
    "Cochrane review versions",
    [
        R("v2", _CR, "Gillespie, Lesley D; Robertson, M Clare; Lamb, Sarah E", 2009,
          "Cochrane Database of Systematic Reviews", "", "2", "CD007146", "10.1002/14651858.CD007146.pub2"),
        R("v3", _CR, "Gillespie, Lesley D; Robertson, M Clare; Lamb, Sarah E", 2012,
          "Cochrane Database of Systematic Reviews", "", "9", "CD007146", "10.1002/14651858.CD007146.pub3"),
        R("v3b", _CR, "Gillespie LD, Robertson MC, Lamb SE", 2012, "Cochrane Database Syst Rev", "9", "", "CD007146",
          "10.1002/14651858.CD007146.pub3"),
    ],
    [("v2", "v3", "separate"), ("v3", "v3b", "same"), ("v2", "v3b", "separate")],
)

TRANSLATION = Trap(
    "a translation",
    [
        R("de", "Wirksamkeit der Physiotherapie nach Kreuzbandplastik bei jungen Erwachsenen",
          "Schneider, Klaus; Weber, Petra", 2016, "Sportverletzung Sportschaden", "30", "2", "88-95",
          "10.1055/s-0042-104512"),
        R("en", "Effectiveness of physiotherapy after cruciate ligament reconstruction in young adults",
          "Schneider, Klaus; Weber, Petra", 2017, "German Journal of Sports Medicine", "68", "3", "61-68",
          "10.5960/dzsm.2017.281"),
        R("de_pm", "[Effectiveness of physiotherapy after cruciate ligament reconstruction in young adults]",
          "Schneider K, Weber P", 2016, "Sportverletz Sportschaden", "30", "2", "88-95"),
    ],
    [("de", "en", "separate"), ("en", "de_pm", "separate")],
)

_GL = "Joint position statement on the assessment of frailty in surgical patients"
TWO_JOURNALS = Trap(
    "one title in two journals",
    [
        R("j1", _GL, "Harrington, Paul; Mbeki, Thandi; Fischer, Lena", 2021, "British Journal of Surgery", "108", "7",
          "745-751", "10.1093/bjs/znab120"),
        R("j2", _GL, "Harrington, Paul; Mbeki, Thandi; Fischer, Lena", 2021, "Age and Ageing", "50", "4", "1101-1107",
          "10.1093/ageing/afab098"),
    ],
    [("j1", "j2", "separate")],
)

_PRE = "Household transmission of respiratory syncytial virus among children under five: a cohort study"
_PREPRINTS = [
    R("pre", _PRE, "Kowalski, Anna; Mensah, Kofi; Duarte, Ines", 2022, "medRxiv", "", "",
      "2022.03.14.22272345", "10.1101/2022.03.14.22272345"),
    R("pub", _PRE, "Kowalski A; Mensah K; Duarte I", 2023, "The Lancet Infectious Diseases", "23", "5", "601-610",
      "10.1016/S1473-3099(22)00811-4"),
]  # fmt: skip
PREPRINT_DEFAULT = Trap("preprint and journal version (default)", _PREPRINTS, [("pre", "pub", "possible")])
PREPRINT_SAME = Trap("preprint and journal version (one study)", _PREPRINTS, [("pre", "pub", "same")], "same")
PREPRINT_SEPARATE = Trap("preprint and journal version (separate)", _PREPRINTS, [("pre", "pub", "apart")], "separate")

FULL_STOP = Trap(
    "same DOI, titles differ by a full stop",
    [
        R("fs1", "Supply chain resilience after the pandemic: a multiple case study", "Ortega, Luis; Brandt, Eva",
          2021, "International Journal of Operations Management", "41", "3", "455-478", "10.1108/ijom-07-2020-0433"),
        R("fs2", "Supply chain resilience after the pandemic: a multiple case study.", "Ortega L, Brandt E", 2023,
          "Int J Oper Manag", "41", "3", "455-78", "10.1108/IJOM-07-2020-0433"),
    ],
    [("fs1", "fs2", "same")],
)

_ELOC = "Knowledge hiding and team creativity: a multilevel study of research and development teams"
PAGE_FORMS = Trap(
    "page ranges and article numbers",
    [
        R("pr1", _ELOC, "Lee, Min-jun; Park, Ji-woo", 2019, "PLoS One", "14", "6", "e0218841"),
        R("pr2", _ELOC + " in Korea", "Lee, Min-jun; Park, Ji-woo", 2019, "PLoS One", "14", "6", "e0218857"),
        R("pr3", _ELOC, "Lee M, Park J", 2019, "PLOS ONE", "14", "6", "e0218841"),
        R("rg1", "Psychological ownership and voice behaviour in knowledge-intensive firms", "Varga, Eszter", 2018,
          "Journal of Managerial Psychology", "33", "3", "221-8"),
        R("rg2", "Psychological ownership and voice behaviour in knowledge-intensive firms", "Varga, E.", 2018,
          "J Manag Psychol", "33", "3", "221-228"),
    ],
    [("pr1", "pr2", "separate"), ("pr1", "pr3", "same"), ("rg1", "rg2", "same")],
)

BAD_INPUT = Trap(
    "no title and no identifier",
    [
        R("nt1", "", "Smith, John", 2020, "Journal of Management", "46", "1", ""),
        R("nt2", "", "Smith, John", 2020, "Journal of Management", "46", "1", ""),
        R("nt3", "   ", "Smith, J.", 2020, "J Manag", "46", "", ""),
    ],
    [("nt1", "nt2", "apart"), ("nt1", "nt3", "apart")],
)

TRAPS = [
    SERIAL_EDITORIALS, ERRATA, COMMENT_REPLY, CONFERENCE, PROTOCOL, PARTS, COCHRANE, TRANSLATION, TWO_JOURNALS,
    PREPRINT_DEFAULT, PREPRINT_SAME, PREPRINT_SEPARATE, FULL_STOP, PAGE_FORMS, BAD_INPUT,
]  # fmt: skip

# fmt: on


def _together(result: DedupResult, a: str, b: str) -> bool:
    return any(a in group and b in group for group in result.groups)


def _asked(result: DedupResult, a: str, b: str) -> bool:
    groups = {m: tuple(g) for g in result.groups for m in g}
    return any({groups[p.a], groups[p.b]} == {groups[a], groups[b]} for p in result.possible)


def trap_outcomes(trap: Trap, run: Callable[..., DedupResult] = deduplicate) -> list[str]:
    """One line per labelled pair: "ok ..." or "WRONG ..." with what came out."""
    result = run(trap.records, versions=trap.versions)
    reasons = {frozenset((p.a, p.b)): p.reason for p in [*result.merged_pairs, *result.possible]}
    lines = []
    for a, b, label in trap.expect:
        got: Label = "same" if _together(result, a, b) else ("possible" if _asked(result, a, b) else "apart")
        ok = got == label or (label == "separate" and got in ("possible", "apart"))
        why = reasons.get(frozenset((a, b)), "")
        lines.append(f"{'ok' if ok else 'WRONG'} {a}~{b}: labelled {label}, came out {got} {why}".rstrip())
    return lines
