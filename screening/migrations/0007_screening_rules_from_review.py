"""Votes required and blinding become screening settings: the columns are added here and each review's values
copied from review.Review, before review's 0017 drops them there."""

from django.db import migrations, models


def copy_rules_from_reviews(apps, schema_editor):
    Review = apps.get_model("review", "Review")
    ScreeningSettings = apps.get_model("screening", "ScreeningSettings")
    db = schema_editor.connection.alias
    rules = ("votes_required_title_abstract", "votes_required_full_text", "blinded")
    existing = set(ScreeningSettings.objects.using(db).values_list("review_id", flat=True))
    missing = []
    for review in Review.objects.using(db).only("pk", *rules).iterator(chunk_size=2000):
        values = {name: getattr(review, name) for name in rules}
        if review.pk in existing:
            ScreeningSettings.objects.using(db).filter(review_id=review.pk).update(**values)
        else:
            missing.append(ScreeningSettings(review_id=review.pk, **values))
    ScreeningSettings.objects.using(db).bulk_create(missing, batch_size=2000)


def copy_rules_to_reviews(apps, schema_editor):
    Review = apps.get_model("review", "Review")
    ScreeningSettings = apps.get_model("screening", "ScreeningSettings")
    db = schema_editor.connection.alias
    for config in ScreeningSettings.objects.using(db).iterator(chunk_size=2000):
        Review.objects.using(db).filter(pk=config.review_id).update(
            votes_required_title_abstract=config.votes_required_title_abstract,
            votes_required_full_text=config.votes_required_full_text,
            blinded=config.blinded,
        )


class Migration(migrations.Migration):
    dependencies = [
        # The last review migration that still has the three columns; review's 0017 (which drops them) runs after.
        ("review", "0016_search_archived_at"),
        ("screening", "0006_bulk_fulltext_uploads"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningsettings",
            name="votes_required_title_abstract",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name="screeningsettings",
            name="votes_required_full_text",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name="screeningsettings",
            name="blinded",
            field=models.BooleanField(default=True),
        ),
        migrations.AddConstraint(
            model_name="screeningsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("votes_required_title_abstract__gte", 1), ("votes_required_title_abstract__lte", 10)),
                name="screening_votes_ta_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="screeningsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("votes_required_full_text__gte", 1), ("votes_required_full_text__lte", 10)),
                name="screening_votes_ft_range",
            ),
        ),
        migrations.RunPython(copy_rules_from_reviews, copy_rules_to_reviews, elidable=False),
    ]
