"""The shipped pair model, written by `python -m review.dedup.train` from the sets named below."""

from review.dedup.scoring import Model

MODEL = Model(
    weights=(
        0.62,  # title
        1.5128,  # title_95
        1.6172,  # title_99
        -0.0201,  # doi_same
        -0.1112,  # doi_differs
        0.0,  # pmid_same
        1.0121,  # year_same
        -0.536,  # year_near
        -0.8101,  # year_far
        1.0936,  # volume_same
        -1.1446,  # volume_differs
        0.6069,  # issue_same
        0.7825,  # issue_differs
        0.7958,  # first_page_same
        1.0646,  # range_same
        0.0147,  # range_differs
        0.0371,  # pages_differ
        0.512,  # journal_same
        -0.9836,  # journal_differs
        0.5791,  # authors_same
        -0.7839,  # authors_differ
        -2.3153,  # first_author_differs
        0.0087,  # no_authors
        -0.5186,  # abstract_same
        -0.4511,  # abstract_differs
        -0.6608,  # numbers_differ
        -1.497,  # word_substituted
        -0.0419,  # generic
        0.5891,  # conference_mismatch
        1.0336,  # id_and_title
        -2.3217,  # barriers
    ),
    bias=-0.595,
    duplicate=0.9,
    possible=0.5,
    trained_on=("asysd_diabetes", "iebh_copper", "sra_cytology_screening", "sra_stroke"),
)
