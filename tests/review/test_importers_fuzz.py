"""Fuzzing the tagged-text parsers: whatever the bytes, only ImportFileError may escape."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.importers import ImportFileError, ParseResult, parse

RIS_TAGS = [
    "TY",
    "ER",
    "TI",
    "T1",
    "AU",
    "A1",
    "AB",
    "N2",
    "PY",
    "Y1",
    "DO",
    "L3",
    "UR",
    "AN",
    "DB",
    "DP",
    "KW",
    "SN",
    "SP",
    "EP",
    "C3",
    "C5",
    "ZZ",
    "PMID",
]
MEDLINE_TAGS = ["PMID", "OWN", "TI", "AB", "FAU", "AU", "DP", "LID", "AID", "PMC", "MH", "IS", "JT", "OID", "XYZ"]
WOS_TAGS = ["FN", "VR", "PT", "AU", "AF", "TI", "SO", "AB", "PY", "DI", "PM", "UT", "BP", "EP", "SN", "ER", "EF", "QQ"]

values = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
) | st.sampled_from(["", "10.1000/X.1", "PUBMED 123", "WOS:000123", "https://dx.doi.org/10.1/2", "2020///", "©"])
separators = st.sampled_from(["  - ", " - ", "  -  ", "- ", "  -", " ", ": "])
line_ends = st.sampled_from(["\n", "\r\n", "\r"])
junk = st.sampled_from(["", "1.", "Record #3 of 18", "      continued", "   wrapped", "<1. >", "\ufeff"])


def tagged(tags: list[str]) -> st.SearchStrategy[str]:
    line = st.one_of(
        st.builds(lambda t, s, v: f"{t}{s}{v}", st.sampled_from(tags), separators, values),
        junk,
        values,
    )
    return st.builds(lambda lines, end: end.join(lines), st.lists(line, max_size=30), line_ends)


def only_import_errors(text: str, *, format: str, encoding: str = "utf-8") -> None:
    try:
        result = parse(text.encode(encoding, errors="surrogatepass"), format=format)
    except ImportFileError as error:
        assert str(error)
        return
    assert isinstance(result, ParseResult)
    assert result.records
    for position, record in enumerate(result.records, 1):
        assert record.position == position
        assert record.line >= 1
        assert record.doi == record.doi.lower()


FUZZ = settings(derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(tagged(RIS_TAGS))
def test_ris_parser_raises_only_import_errors(text: str) -> None:
    only_import_errors(text, format="ris")


@FUZZ
@given(tagged(MEDLINE_TAGS))
def test_medline_parser_raises_only_import_errors(text: str) -> None:
    only_import_errors(text, format="nbib")


@FUZZ
@given(tagged(WOS_TAGS))
def test_wos_parser_raises_only_import_errors(text: str) -> None:
    only_import_errors(text, format="wos")


@FUZZ
@given(st.binary(max_size=200))
def test_arbitrary_bytes_with_detection_raise_only_import_errors(data: bytes) -> None:
    try:
        result = parse(data)
    except ImportFileError as error:
        assert str(error)
        return
    assert result.records


@FUZZ
@given(tagged(RIS_TAGS + MEDLINE_TAGS + WOS_TAGS), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_detection_over_mixed_tagged_text_raises_only_import_errors(text: str, encoding: str) -> None:
    try:
        result = parse(text.encode(encoding, errors="surrogatepass"))
    except ImportFileError:
        return
    assert result.records
