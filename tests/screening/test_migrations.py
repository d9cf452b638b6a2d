"""The migrations that move votes required and blinding from the review to its screening settings keep every
review's values, whether or not the review had a settings row, and can be reversed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("review", "0016_search_archived_at"), ("screening", "0006_bulk_fulltext_uploads")]
AFTER = [("review", "0017_screening_rules_moved_to_screening"), ("screening", "0007_screening_rules_from_review")]
RULES = ("votes_required_title_abstract", "votes_required_full_text", "blinded")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_every_reviews_votes_required_and_blinding_reach_its_screening_settings(lead):
    try:
        old = _migrate(BEFORE)
        Review, Settings = old.get_model("review", "Review"), old.get_model("screening", "ScreeningSettings")

        def review(slug, **rules):
            return Review.objects.create(title=slug, slug=slug, created_by_id=lead.pk, **rules).pk

        changed = review("changed", votes_required_title_abstract=3, votes_required_full_text=1, blinded=False)
        untouched = review("untouched")
        with_row = review("with-row", votes_required_title_abstract=5, votes_required_full_text=4, blinded=True)
        Settings.objects.create(review_id=with_row, maybe_goes_to_full_text=False, random_seed=7)

        new = _migrate(AFTER)
        Settings = new.get_model("screening", "ScreeningSettings")
        stored = {row["review_id"]: row for row in Settings.objects.values("review_id", *RULES, "random_seed")}
        assert {pk: tuple(stored[pk][name] for name in RULES) for pk in (changed, untouched, with_row)} == {
            changed: (3, 1, False),
            untouched: (2, 2, True),
            with_row: (5, 4, True),
        }
        assert stored[with_row]["random_seed"] == 7  # the row's other settings are kept
        assert not {f.name for f in new.get_model("review", "Review")._meta.fields} & set(RULES)

        old = _migrate(BEFORE)  # and back: the values return to the review
        Review = old.get_model("review", "Review")
        assert tuple(Review.objects.filter(pk=changed).values_list(*RULES).get()) == (3, 1, False)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
