"""The shipped pair model, written by `python -m review.dedup.train` from the sets named below."""

from review.dedup.scoring import Model

MODEL = Model(
    weights=(
        0.5022,  # title
        1.6093,  # title_95
        1.7617,  # title_99
        1.2245,  # doi_same
        -0.7222,  # doi_differs
        0.0,  # pmid_same
        1.1964,  # year_same
        -0.2338,  # year_near
        -1.5797,  # year_far
        1.4374,  # volume_same
        -2.7841,  # volume_differs
        0.8127,  # issue_same
        0.4003,  # issue_differs
        1.7048,  # first_page_same
        1.6933,  # range_same
        0.0068,  # range_differs
        -1.3392,  # pages_differ
        1.2379,  # journal_same
        -1.6597,  # journal_differs
        0.482,  # authors_same
        -0.8255,  # authors_differ
        -2.5739,  # first_author_differs
        -0.1243,  # no_authors
        0.1483,  # abstract_same
        -0.714,  # abstract_differs
        -0.6112,  # numbers_differ
        -1.9031,  # word_substituted
        -0.0461,  # generic
        -0.2166,  # conference_mismatch
    ),
    bias=-3.2901,
    duplicate=0.9,
    possible=0.2,
    trained_on=("asysd_diabetes", "iebh_copper", "sra_cytology_screening", "sra_stroke"),
)
