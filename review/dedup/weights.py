"""The shipped pair model, written by `python -m review.dedup.train` from the sets named below."""

from review.dedup.scoring import Model

MODEL = Model(
    weights=(
        0.6092,  # title
        1.538,  # title_95
        1.6399,  # title_99
        0.0379,  # doi_same
        -0.1153,  # doi_differs
        0.0,  # pmid_same
        1.0376,  # year_same
        -0.5596,  # year_near
        -0.8195,  # year_far
        1.1056,  # volume_same
        -1.113,  # volume_differs
        0.5925,  # issue_same
        0.8062,  # issue_differs
        0.8186,  # first_page_same
        1.0502,  # range_same
        0.0146,  # range_differs
        0.0633,  # pages_differ
        0.4981,  # journal_same
        -0.991,  # journal_differs
        0.5449,  # authors_same
        -0.7613,  # authors_differ
        -2.2982,  # first_author_differs
        0.0068,  # no_authors
        -0.5217,  # abstract_same
        -0.5235,  # abstract_differs
        -0.6278,  # numbers_differ
        -1.5375,  # word_substituted
        -0.0412,  # generic
        0.6264,  # conference_mismatch
        1.043,  # id_and_title
        -2.3218,  # barriers
    ),
    bias=-0.6428,
    duplicate=0.9,
    possible=0.5,
    trained_on=("asysd_diabetes", "iebh_copper", "sra_cytology_screening", "sra_stroke"),
)
