"""Votes required and blinding now live in screening.ScreeningSettings; screening's 0007 has copied every review's
values there, so it must run first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0016_search_archived_at"),
        ("screening", "0007_screening_rules_from_review"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="review", name="review_votes_ta_range"),
        migrations.RemoveConstraint(model_name="review", name="review_votes_ft_range"),
        migrations.RemoveField(model_name="review", name="votes_required_title_abstract"),
        migrations.RemoveField(model_name="review", name="votes_required_full_text"),
        migrations.RemoveField(model_name="review", name="blinded"),
    ]
