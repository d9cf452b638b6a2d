"""The audit trail and the vote history are append-only, and every action the code writes is a named one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from review.append_only import AppendOnlyError
from review.models import AuditEvent
from review.services.reviews import audit

ROOT = Path(__file__).resolve().parents[2]
# An action is written as a literal "app.what" string, sometimes in a conditional expression: every such literal
# in a module that writes audit rows is checked (names that are not actions, like "record.pk", are left out).
APPS = "charting|dedup|import|member|record|review|screening|search"
ACTION_IN_CODE = re.compile(rf'"((?:{APPS})\.[a-z_]+(?:\.[a-z_]+)?)"')
NOT_ACTIONS = {"record.pk", "record.title", "review.importers", "search.label"}


def test_every_audit_action_in_the_code_is_a_named_action():
    written = set()
    for app in ("review", "screening", "charting", "reporting"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if "audit(" in text:
                written |= set(ACTION_IN_CODE.findall(text)) - NOT_ACTIONS
    named = {choice.value for choice in AuditEvent.Action}
    assert written, "no audit calls found: the pattern is stale"
    assert written <= named, f"audit actions without a name in AuditEvent.Action: {sorted(written - named)}"


@pytest.mark.django_db
def test_an_unknown_action_is_refused(review, lead):
    with pytest.raises(ValueError):
        audit(review=review, actor=lead, action="review.somethingnew")
    assert not AuditEvent.objects.filter(action="review.somethingnew").exists()


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(review, lead):
    event = audit(review=review, actor=lead, action="review.updated", changes={})
    event.detail = {"changes": "rewritten"}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.detail == {"changes": {}}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_changes_from_any_client(review, lead):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    event = audit(review=review, actor=lead, action="review.updated", changes={})
    for sql in (
        "UPDATE review_auditevent SET detail = '{}' WHERE id = %s",
        "DELETE FROM review_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, detail={"changes": {}}).exists()


@pytest.mark.django_db
def test_deleting_an_account_keeps_its_audit_rows(review, lead):
    someone = User.objects.create_user("someone", password="x-long-password-1")
    event = audit(review=review, actor=someone, action="review.updated", changes={})
    someone.delete()
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.action == "review.updated"
