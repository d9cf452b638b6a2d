"""The dedup engine on the traps of real exports: what must merge, what must never merge, and why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord, DedupResult, PairDecision

ARTICLE = DedupRecord(
    id="a1",
    title="Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice",
    authors="Al-Sharea, A. and Murphy, A. J. and Huggins, L. A. and Goldberg, I. J.",
    year=2018,
    journal="Atherosclerosis",
    volume="271",
    issue="2",
    pages="166-176",
    doi="10.1016/j.atherosclerosis.2018.02.028",
    abstract=(
        "Background: Diabetes accelerates atherosclerosis. We treated Ldlr-deficient diabetic mice with "
        "sitagliptin for twelve weeks and measured plasma lipoproteins, lesion area and hepatic uptake. "
        "Sitagliptin lowered plasma cholesterol and reduced lesion size by a third."
    ),
)


def same_group(result: DedupResult, a: str, b: str) -> bool:
    return any(a in group and b in group for group in result.groups)


def possible_pair(result: DedupResult, a: str, b: str) -> bool:
    return any({p.a, p.b} == {a, b} for p in result.possible)


def test_exports_of_one_article_with_typical_differences_are_merged() -> None:
    pubmed = ARTICLE
    embase = replace(
        ARTICLE,
        id="a2",
        title="The sitagliptin reduces atherosclerosis by enhancing lipoprotein-clearance in <i>diabetic</i> mice.",
        authors="Al-Sharea A; Murphy AJ; Huggins LA; Goldberg IJ",
        journal="Atherosclerosis (Amsterdam)",
        pages="166-76",
        doi="https://doi.org/10.1016/J.ATHEROSCLEROSIS.2018.02.028",
    )
    scopus = replace(ARTICLE, id="a3", doi="", abstract="", year="2017", issue="")  # ahead of print
    result = deduplicate([pubmed, embase, scopus])
    assert result.groups == [["a1", "a2", "a3"]]
    assert {p.reason for p in result.merged_pairs} and all(p.outcome == "duplicate" for p in result.merged_pairs)


def test_bracketed_translation_and_abbreviated_journal_are_the_same_work() -> None:
    medline = DedupRecord(
        id="m",
        title="[Application of copper bactericidal properties in medical practice]",
        authors="Prado, J. V. and Vidal, A. R. and Duran, T. C.",
        year=2012,
        journal="Rev Med Chil",
        volume="140",
        pages="1325-32",
    )
    lilacs = replace(medline, id="l", title="Application of copper bactericidal properties in medical practice",
                     journal="Revista Medica de Chile", pages="1325-1332")  # fmt: skip
    assert deduplicate([medline, lilacs]).groups == [["l", "m"]]


def test_abstracts_sharing_a_supplement_doi_are_not_merged() -> None:
    doi = "10.2337/db16-suppl-1"
    first = DedupRecord(
        id="s1",
        title="Linagliptin attenuates neointima formation after vascular injury in diabetic mice",
        authors="Terawaki, Y. and Nomiyama, T.",
        year=2016,
        journal="Diabetes",
        volume="65",
        issue="Supplement 1",
        pages="A128",
        doi=doi,
    )
    second = replace(first, id="s2", title="Empagliflozin improves cardiac function in obese rats with heart failure",
                     authors="Kusaka, H. and Koibuchi, N.", pages="A131")  # fmt: skip
    result = deduplicate([first, second])
    assert result.groups == [["s1"], ["s2"]]
    assert result.possible == []


def test_conference_abstract_and_the_later_journal_article_stay_apart() -> None:
    abstract = replace(
        ARTICLE,
        id="c1",
        journal="Atherosclerosis Supplements. Conference: 85th EAS Congress",
        volume="32",
        issue="Supplement 1",
        pages="S12",
        year=2017,
        doi="",
        abstract="Aims: to test whether sitagliptin changes lesion size in diabetic mice. Methods: twelve weeks.",
    )
    result = deduplicate([ARTICLE, abstract])
    assert not same_group(result, "a1", "c1")


@pytest.mark.parametrize("generic", ["Editorial", "Erratum", "Reply", "Diabetes mellitus", "Introduction"])
def test_generic_titles_need_the_bibliographic_details_to_agree(generic: str) -> None:
    one = DedupRecord(id="g1", title=generic, authors="Brown, A.", year=2019, journal="Stroke", volume="50",
                      pages="801")  # fmt: skip
    other_issue = replace(one, id="g2", volume="51", pages="1201", year=2020)
    other_author = replace(one, id="g3", authors="White, R.", journal="Lancet", volume="393", pages="12")
    same_item = replace(one, id="g4", journal="Stroke.", authors="Brown A")
    result = deduplicate([one, other_issue, other_author, same_item])
    assert not same_group(result, "g1", "g2")
    assert not same_group(result, "g1", "g3")
    assert same_group(result, "g1", "g4")


def test_generic_title_without_authors_or_pages_is_never_merged() -> None:
    one = DedupRecord(id="e1", title="Editorial", year=2019, journal="Stroke", volume="50")
    two = DedupRecord(id="e2", title="Editorial", year=2019, journal="Stroke", volume="50")
    assert deduplicate([one, two]).groups == [["e1"], ["e2"]]


@pytest.mark.parametrize(
    "title",
    [
        "Erratum: Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice",
        "Correction to: Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice",
        "Reply to: Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice",
        "Comment on: Sitagliptin reduces atherosclerosis by enhancing lipoprotein clearance in diabetic mice",
    ],
)
def test_errata_replies_and_comments_are_not_the_article_they_concern(title: str) -> None:
    notice = replace(ARTICLE, id="n1", title=title, pages="1201", abstract="", doi="")
    result = deduplicate([ARTICLE, notice])
    assert result.groups == [["a1"], ["n1"]]
    assert result.possible == []


def test_erratum_annotation_in_a_medline_title_does_not_make_it_an_erratum() -> None:
    annotated = replace(ARTICLE, id="a2", doi="", title=ARTICLE.title + ".[Erratum appears in Atherosclerosis 2018]")
    assert deduplicate([ARTICLE, annotated]).groups == [["a1", "a2"]]


def test_ahead_of_print_year_one_off_still_merges_but_two_years_apart_does_not() -> None:
    early = replace(ARTICLE, id="a2", year=2017, doi="", abstract="")
    later = replace(ARTICLE, id="a3", year=2020, doi="", abstract="")
    result = deduplicate([ARTICLE, early, later])
    assert same_group(result, "a1", "a2")
    assert not same_group(result, "a1", "a3")


def test_same_title_by_different_authors_in_another_journal_is_a_different_work() -> None:
    other = DedupRecord(
        id="o1",
        title=ARTICLE.title,
        authors="Kowalski, P. and Nowak, J.",
        year=2021,
        journal="Journal of Lipid Research",
        volume="62",
        pages="100-108",
    )
    result = deduplicate([ARTICLE, other])
    assert result.groups == [["a1"], ["o1"]]


def test_complete_linkage_never_chains_two_different_works_through_a_sparse_record() -> None:
    # The sparse record matches both full records; the two full records differ in volume and pages.
    first = replace(ARTICLE, id="x1", doi="", abstract="")
    second = replace(first, id="x3", volume="280", pages="50-61", year=2018)
    sparse = DedupRecord(id="x2", title=ARTICLE.title, authors=ARTICLE.authors, year=2018, journal="Atherosclerosis")
    result = deduplicate([first, sparse, second])
    assert not same_group(result, "x1", "x3")


def test_a_person_saying_different_is_never_overridden_nor_asked_again() -> None:
    copy = replace(ARTICLE, id="a2")
    result = deduplicate([ARTICLE, copy], decisions=[PairDecision("a2", "a1", same=False)])
    assert result.groups == [["a1"], ["a2"]]
    assert result.possible == []


def test_a_person_saying_same_merges_what_the_rules_would_not() -> None:
    other = DedupRecord(id="z9", title="A different title entirely", authors="Nobody, N.", year=1999)
    result = deduplicate([ARTICLE, other], decisions=[PairDecision("a1", "z9", same=True)])
    assert result.groups == [["a1", "z9"]]
    assert [p.reason for p in result.merged_pairs] == ["person-decided-same"]


def test_same_false_blocks_a_chain_through_a_third_record() -> None:
    b = replace(ARTICLE, id="a2")
    c = replace(ARTICLE, id="a3")
    result = deduplicate([ARTICLE, b, c], decisions=[PairDecision("a1", "a3", same=False)])
    assert not same_group(result, "a1", "a3")


def test_two_locked_records_are_queued_for_a_person_instead_of_merged() -> None:
    copy = replace(ARTICLE, id="a2")
    result = deduplicate([ARTICLE, copy], locked={"a1", "a2"})
    assert result.groups == [["a1"], ["a2"]]
    assert possible_pair(result, "a1", "a2")


def test_a_new_record_joins_a_locked_record_which_stays_the_kept_one() -> None:
    richer = replace(ARTICLE, id="a0", pmid="29500000")  # more complete, imported earlier
    screened = replace(ARTICLE, id="a1")
    result = deduplicate([richer, screened], locked={"a1"})
    assert result.groups == [["a0", "a1"]]
    assert result.primary == {"a0": "a1"}


def test_the_kept_record_is_the_most_complete_then_the_earliest() -> None:
    bare = replace(ARTICLE, id="r2", abstract="", doi="")
    with_doi = replace(ARTICLE, id="r10", abstract="")
    full = replace(ARTICLE, id="r11")
    full_later = replace(ARTICLE, id="r12")
    result = deduplicate([bare, with_doi, full, full_later])
    assert result.groups == [["r10", "r11", "r12", "r2"]]
    assert result.primary == {"r10": "r11"}


def test_every_record_appears_in_exactly_one_group() -> None:
    records = [ARTICLE, replace(ARTICLE, id="a2"), DedupRecord(id="b1", title="Something else entirely here")]
    result = deduplicate(records)
    ids = [rid for group in result.groups for rid in group]
    assert sorted(ids) == ["a1", "a2", "b1"]
    assert set(result.primary) == {group[0] for group in result.groups}


def test_repeated_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        deduplicate([ARTICLE, ARTICLE])


def test_progress_reports_reach_the_total() -> None:
    calls: list[tuple[int, int]] = []
    deduplicate([ARTICLE, replace(ARTICLE, id="a2")], progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_no_records_gives_an_empty_result() -> None:
    result = deduplicate([])
    assert result.groups == [] and result.primary == {} and result.possible == []


def test_parts_of_a_series_differing_only_in_a_number_are_not_merged() -> None:
    part1 = DedupRecord(
        id="p1",
        title="Cognitive rehabilitation after stroke: part 1, attention",
        authors="Toglia, J. and Cermak, S. A.",
        year=2009,
        journal="American Journal of Occupational Therapy",
        volume="63",
        pages="569-579",
    )
    part2 = replace(part1, id="p2", title="Cognitive rehabilitation after stroke: part 2, attention", pages="580-590")
    result = deduplicate([part1, part2])
    assert result.groups == [["p1"], ["p2"]]


def test_near_identical_titles_under_one_supplement_doi_are_not_merged() -> None:
    doi = "10.1093/eurheartj/ehx502"
    mice = DedupRecord(
        id="d1",
        title="SGLT2 inhibition improves coronary microvascular function in diabetic mice",
        authors="Adingupu, D. D. and Gronros, J.",
        year=2017,
        journal="European Heart Journal",
        volume="38",
        pages="P893",
        doi=doi,
        abstract="In mice, SGLT2 inhibition improved coronary flow reserve measured by ultrasound.",
    )
    rats = replace(
        mice,
        id="d2",
        title="SGLT2 inhibition improves coronary microvascular function in diabetic rats",
        pages="",
        abstract="Isolated hearts of rats showed less oxidative stress after treatment with it.",
    )
    result = deduplicate([mice, rats])
    assert result.groups == [["d1"], ["d2"]]


def test_one_author_surname_inside_another_teams_list_is_not_the_same_authors() -> None:
    solo = replace(ARTICLE, id="h1", authors="Hansen, D.", doi="", abstract="")
    team = replace(
        ARTICLE,
        id="h2",
        authors="Nguyen, F. and Cohen, H. E. and Hansen, N. A. and Novak, P.",
        pages="",
        doi="",
        abstract="",
    )
    assert deduplicate([solo, team]).groups == [["h1"], ["h2"]]


def test_a_volume_number_shared_by_two_journals_does_not_tie_an_abstract_to_an_article() -> None:
    article = replace(ARTICLE, id="v1", doi="", abstract="", volume="146")
    meeting = replace(article, id="v2", journal="Topics in Language Disorders. Conference: Annual Meeting",
                      issue="Suppl 1", pages="A66", year=2017)  # fmt: skip
    result = deduplicate([article, meeting])
    assert result.groups == [["v1"], ["v2"]]


def test_name_suffixes_do_not_split_an_author() -> None:
    one = replace(ARTICLE, id="w1", authors="Wright Jr., T. C.", doi="", abstract="")
    other = replace(one, id="w2", authors="Wright, Jr")
    assert deduplicate([one, other]).groups == [["w1", "w2"]]


def test_the_latest_decision_about_a_pair_wins() -> None:
    copy = replace(ARTICLE, id="a2")
    changed_mind = [PairDecision("a1", "a2", same=False), PairDecision("a2", "a1", same=True)]
    assert deduplicate([ARTICLE, copy], decisions=changed_mind).groups == [["a1", "a2"]]
    changed_back = [*changed_mind, PairDecision("a1", "a2", same=False)]
    assert deduplicate([ARTICLE, copy], decisions=changed_back).groups == [["a1"], ["a2"]]


def test_meeting_abstract_in_the_same_journal_volume_as_the_article_stays_apart() -> None:
    article = replace(ARTICLE, id="j1", journal="Diabetes", volume="65", pages="1234-1242", doi="", abstract="")
    meeting = replace(article, id="j2", issue="Supplement 1", pages="A128")
    assert deduplicate([article, meeting]).groups == [["j1"], ["j2"]]


def test_two_papers_of_one_team_in_one_journal_and_year_with_close_titles_stay_apart() -> None:
    first = DedupRecord(
        id="t1",
        title="Effect of exenatide on plaque volume in patients with type 2 diabetes",
        authors="Koska, J. and Reaven, P. D.",
        year=2015,
        journal="Diabetes Care",
        volume="38",
        pages="",
    )
    second = replace(
        first, id="t2", title="Effect of exenatide on carotid intima thickness in patients with type 2 diabetes"
    )
    assert deduplicate([first, second]).groups == [["t1"], ["t2"]]


@pytest.mark.parametrize(("one", "other"), [("men", "women"), ("mice", "rats"), ("in", "after")])
def test_a_team_paper_with_one_title_word_swapped_is_not_merged(one: str, other: str) -> None:
    first = DedupRecord(
        id="w1",
        title=f"Long-term cardiovascular outcomes of sitagliptin treatment {one} obese adults with type 2 diabetes",
        authors="Koska, J. and Reaven, P. D. and Sands, M.",
        year=2015,
        journal="Diabetes Care",
        volume="38",
        pages="",
    )
    second = replace(first, id="w2", title=first.title.replace(f" {one} ", f" {other} "))
    result = deduplicate([first, second])
    assert result.groups == [["w1"], ["w2"]]


def test_a_hyphen_or_a_space_is_not_a_swapped_word() -> None:
    first = replace(ARTICLE, id="y1", title="SGLT2 inhibition improves function in pre-diabetic mice", doi="")
    second = replace(first, id="y2", title="SGLT2 inhibition improves function in prediabetic mice", pages="")
    assert deduplicate([first, second]).groups == [["y1", "y2"]]


def test_roman_and_arabic_numerals_are_the_same_number() -> None:
    first = replace(ARTICLE, id="n1", title="Sitagliptin in type II diabetes: lipoprotein clearance in mice", doi="")
    second = replace(first, id="n2", title="Sitagliptin in type 2 diabetes: lipoprotein clearance in mice", pages="")
    assert deduplicate([first, second]).groups == [["n1", "n2"]]


def test_a_repeated_word_replaced_by_another_counts_as_a_swapped_word() -> None:
    first = replace(ARTICLE, id="q1", title="Tailored care after stroke or stenting II: embedded II", doi="", pages="")
    second = replace(first, id="q2", title="Tailored care after stroke or stenting II: embedded hard", abstract="")
    assert deduplicate([first, second]).groups == [["q1"], ["q2"]]


def test_two_runs_in_two_threads_of_one_process_do_not_share_their_state() -> None:
    """The embedded mode runs background jobs in threads: two deduplication runs at once must each compare
    their own records (a shared module global once made one run fail with KeyError)."""
    import threading

    from review.dedup.parallel import compare_pairs
    from review.dedup.prepare import prepare

    sizes = {"alpha": 400, "beta": 600, "gamma": 800}

    def run(prefix: str, results: dict[str, object]) -> None:
        try:
            records = [
                replace(ARTICLE, id=f"{prefix}{n}", title=f"{prefix} cohort study of networks number {n // 2}")
                for n in range(sizes[prefix])
            ]
            prepared = [prepare(r, i) for i, r in enumerate(records)]
            pairs = [(i, i + 1) for i in range(0, sizes[prefix], 2)] * 40
            results[prefix] = compare_pairs(prepared, pairs, workers=1)
        except Exception as error:
            results[prefix] = error

    results: dict[str, object] = {}
    threads = [threading.Thread(target=run, args=(name, results)) for name in ("alpha", "beta", "gamma")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, size in sizes.items():
        assert isinstance(results[name], list), results[name]
        assert len(results[name]) == size // 2 * 40  # every same-title pair of its own records
