"""review.storage: bulk writes whose columns come from the model, COPY on PostgreSQL and bulk_create elsewhere."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from review.models import Record
from review.models.labels import Tag
from review.storage import column_update, rows_insert, rows_upsert
from review.storage.copy_text import CopyRows


@isolate_apps("review")
def test_copy_columns_and_values_come_from_the_model_fields() -> None:
    class Sample(models.Model):
        name = models.CharField(max_length=20, db_column="label")
        notes = models.TextField(blank=True)
        data = models.JSONField(default=list)
        count = models.IntegerField(default=3)
        flag = models.BooleanField(default=False, db_default=False)
        token = models.UUIDField(default=uuid.uuid4)
        parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
        stamp = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "review"

        def __str__(self) -> str:
            return self.name

    rows = CopyRows(Sample, row_fields=["name", "data"], shared={"notes": "x\ty"})
    # The key and a column the database fills itself are left out; db_column names the column.
    assert rows.columns == ("label", "data", "token", "notes", "count", "parent_id", "stamp")
    first = rows.line({"name": "a\\b", "data": ["q\n"]}).rstrip("\n").split("\t")
    second = rows.line({"name": "c", "data": []}).rstrip("\n").split("\t")
    assert first[:2] == ["a\\\\b", '["q\\\\n"]']  # backslashes doubled, the JSON's own escape kept
    assert uuid.UUID(first[2]) != uuid.UUID(second[2])  # a callable default is called for every row
    assert first[3:6] == ["x\\ty", "3", "\\N"]
    assert datetime.fromisoformat(first[6]).tzinfo is not None and first[6] == second[6]


def test_copy_refuses_a_field_the_model_does_not_have() -> None:
    with pytest.raises(ValueError, match=r"review\.Record has no column for colour"):
        CopyRows(Record, row_fields=["title", "colour"], shared={})


def test_copy_refuses_a_required_field_without_a_value() -> None:
    with pytest.raises(ValueError, match=r"review\.Record\.review needs a value"):
        CopyRows(Record, row_fields=["title", "position"], shared={})


def test_copy_refuses_a_nul_character() -> None:
    rows = CopyRows(Tag, row_fields=["name"], shared={"review_id": 1})
    with pytest.raises(ValueError, match="NUL character"):
        rows.line({"name": "a\x00b"})


def test_rows_insert_stores_every_row_with_what_the_orm_would_give(review, lead) -> None:
    seen: list[int] = []
    stored = rows_insert(
        model=Tag,
        rows=({"name": name} for name in ("b\\N", "a\tz", "c")),
        shared={"review": review},
        progress=seen.append,
        batch_size=2,
    )
    assert stored == 3 and seen == [2, 3]
    tags = list(Tag.objects.filter(review=review).order_by("name"))
    assert [t.name for t in tags] == ["a\tz", "b\\N", "c"]
    assert all(t.created_by_id is None and t.created_at is not None for t in tags)


def test_rows_insert_of_nothing_stores_nothing(review) -> None:
    assert rows_insert(model=Tag, rows=[], shared={"review": review}) == 0
    assert not Tag.objects.exists()


def test_column_update_stores_each_row_its_own_value_and_nothing_else(review, lead) -> None:
    tags = [Tag.objects.create(review=review, name=name, created_by=lead) for name in ("a", "b", "c")]
    tags[0].name, tags[2].name = "first\\N", "third"
    tags[2].created_by = None  # not the column being written: stays as stored
    assert column_update(model=Tag, field="name", rows=[tags[0], tags[2]]) == 2
    stored = {t.pk: (t.name, t.created_by_id) for t in Tag.objects.filter(review=review)}
    assert stored == {tags[0].pk: ("first\\N", lead.pk), tags[1].pk: ("b", lead.pk), tags[2].pk: ("third", lead.pk)}
    assert column_update(model=Tag, field="name", rows=[]) == 0


def test_rows_upsert_inserts_new_rows_and_updates_those_already_there(review, lead) -> None:
    existing = Tag.objects.create(review=review, name="a", created_by=None)
    sent = rows_upsert(
        model=Tag,
        shared={"review": review, "created_at": timezone.now()},
        per_row={"name": ["a", "b\\N"], "created_by_id": [lead.pk, lead.pk]},
        unique_fields=["review", "name"],
        update_fields=["created_by"],
    )
    assert sent == 2
    assert dict(Tag.objects.filter(review=review).values_list("name", "created_by_id")) == {
        "a": lead.pk,
        "b\\N": lead.pk,
    }
    assert Tag.objects.get(review=review, name="a").pk == existing.pk


def test_rows_upsert_refuses_lists_of_different_lengths(review) -> None:
    with pytest.raises(ValueError, match="different lengths"):
        rows_upsert(
            model=Tag,
            shared={"review": review},
            per_row={"name": ["a", "b"], "created_by_id": [None]},
            unique_fields=["review", "name"],
            update_fields=["created_by"],
        )
    assert not Tag.objects.exists()
