"""Field normalisation for deduplication: the forms databases disagree on must come out the same."""

from __future__ import annotations

import pytest

from review.dedup.normalise import (
    fold,
    norm_authors,
    norm_doi,
    norm_journal,
    norm_pages,
    norm_pmid,
    norm_title,
    norm_volume,
    norm_year,
    title_variants,
)


@pytest.mark.parametrize(
    "raw",
    [
        "10.1097/MOL.0b013e3282ffaf82",
        "https://doi.org/10.1097/mol.0b013e3282ffaf82",
        "http://dx.doi.org/10.1097/MOL.0b013e3282ffaf82",
        "doi:10.1097/MOL.0b013e3282ffaf82.",
        "DOI: 10.1097/MOL.0b013e3282ffaf82 [doi]",
    ],
)
def test_doi_prefixes_url_forms_and_case_are_removed(raw: str) -> None:
    assert norm_doi(raw) == "10.1097/mol.0b013e3282ffaf82"


def test_doi_percent_escapes_are_decoded() -> None:
    assert norm_doi("http://dx.doi.org/10.1016/S0735-1097%2813%2962048-3") == "10.1016/s0735-1097(13)62048-3"


def test_doi_missing_or_not_a_doi_is_empty() -> None:
    assert norm_doi("") == ""
    assert norm_doi("see publisher site") == ""


def test_title_punctuation_case_and_leading_article_do_not_matter() -> None:
    assert norm_title("The Effects of Incretin: a Study.") == norm_title("effects of incretin - A study")


def test_title_html_tags_and_entities_are_removed() -> None:
    assert norm_title("Ldlr<sup>-/-</sup> mice &amp; diabetes") == norm_title("Ldlr-/- mice & diabetes")


def test_title_unicode_is_folded_and_greek_letters_spelt_out() -> None:
    assert norm_title("Über β-Zellen in Müller-Glia") == "uber beta zellen in muller glia"


def test_title_bracketed_translation_matches_the_plain_title() -> None:
    assert norm_title("[Application of copper in medical practice]") == "application of copper in medical practice"
    variants = title_variants("Aplicacion del cobre en la practica medica [Application of copper in medical practice]")
    assert "application of copper in medical practice" in variants


def test_title_database_annotations_and_language_tags_are_cut() -> None:
    plain = "dynamics of hpv16 dna load"
    assert norm_title("Dynamics of HPV16 DNA load.[Erratum appears in J Clin Virol. 2006;36(1):84]") == plain
    assert norm_title("Dynamics of HPV16 DNA load. [Review] [33 refs]") == plain
    assert norm_title("Dynamics of HPV16 DNA load. [Chinese]") == plain


def test_fold_drops_diacritics_and_special_letters() -> None:
    assert fold("Ørsted Łódź Straße Çelik") == "orsted lodz strasse celik"


@pytest.mark.parametrize(
    "raw",
    [
        "Zuna, R E and Wang, S S",
        "Zuna RE; Wang SS",
        "Zuna R. E.Wang S. S.",
        "Zuna, Rosemary E. and Wang, Sophia S.",
        ["Zuna, R. E.", "Wang, S. S."],
        "Zuna RE, Wang SS",
    ],
)
def test_authors_in_every_export_style_give_surname_and_initial(raw: str | list[str]) -> None:
    authors = norm_authors(raw)
    assert [a.surname for a in authors] == ["zuna", "wang"]
    assert [a.initials[0] for a in authors] == ["r", "s"]


def test_author_diacritics_are_folded() -> None:
    assert norm_authors("Müller, Jörg and Øster, Åsa")[0].surname == "muller"
    assert norm_authors("Müller, Jörg and Øster, Åsa")[1].surname == "oster"


def test_group_and_anonymous_authors_are_not_people() -> None:
    assert norm_authors("Anonymous") == ()
    assert norm_authors("Group, ASCUS-LSIL Triage Study (ALTS)") == ()


def test_journal_abbreviation_and_full_name_share_initials() -> None:
    full, _ = norm_journal("Journal of the American College of Cardiology")
    short, _ = norm_journal("J Am Coll Cardiol")
    assert [w[0] for w in full.split()] == [w[0] for w in short.split()]


def test_journal_conference_part_is_split_off_and_flagged() -> None:
    name, conference = norm_journal("Microcirculation. Conference: 66th Annual Meeting British Society")
    assert name == "microcirculation"
    assert conference
    assert norm_journal("Obesity (Silver Spring)") == ("obesity", False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("283-98", ("283", "298")),
        ("283-298", ("283", "298")),
        ("1312-7", ("1312", "1317")),
        ("R575-82", ("r575", "r582")),
        ("e001469", ("e1469", "")),
        ("2.05031E+15", ("", "")),
        ("", ("", "")),
    ],
)
def test_pages_are_written_in_full(raw: str, expected: tuple[str, str]) -> None:
    assert norm_pages(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("2008", 2008), ("2008 Mar 4", 2008), (2011, 2011), ("n.d.", None), (None, None)]
)
def test_years(raw: str | int | None, expected: int | None) -> None:
    assert norm_year(raw) == expected


def test_volume_keeps_the_number_and_drops_a_stray_bracket() -> None:
    assert norm_volume("32 (Supplement 3)") == "32"
    assert norm_volume("1)") == ""


def test_pmid_digits_only() -> None:
    assert norm_pmid("PMID: 0012345") == "12345"


def test_doi_keeps_a_bracket_that_belongs_to_it() -> None:
    assert norm_doi("(doi:10.1000/xyz123)") == "10.1000/xyz123"
    assert norm_doi("10.1002/(SICI)1097-0258(19980430)") == "10.1002/(sici)1097-0258(19980430)"
