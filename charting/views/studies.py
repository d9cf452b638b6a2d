"""The charting overview (my extractions, every study's progress), assignment, pilot, comparison and consensus."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from charting import selectors, services
from charting.access import consensus_may_decide, consensus_source, extraction_for_lead
from charting.fieldtypes import display_value
from charting.forms import ConsensusForm, ExtractorsForm, PilotForm, ReassignForm
from charting.models import Extraction, Form
from charting.selectors.charted import charted_data, pilot_agreement
from charting.widgets import raw_from_post, widget_for
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Record, Role


@login_required
@require_http_methods(["GET"])
def charting_home(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    context: dict[str, Any] = {"access": access, "review": access.review, "form": form}
    if form is not None:
        progress = selectors.round_progress(review=access.review, round=Extraction.Round.MAIN)
        # Whether each study's data is final, or has differences waiting for consensus (never which values).
        status = charted_data(form=form).status
        context.update(
            mine=selectors.my_extractions(review=access.review, user=request.user),
            progress=[(p, status.get(p.record.pk)) for p in progress],
            extractors=selectors.eligible_extractors(review=access.review),
        )
        if access.is_lead:
            unassigned = selectors.unassigned_records(review=access.review, needed=form.extractors_per_study)
            context.update(unassigned=unassigned[:200], unassigned_count=unassigned.count())
    return render(request, "charting/home.html", context)


def _lead(request: AuthedRequest, slug: str) -> tuple[ReviewAccess, Form]:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("Build the charting form first")
    return access, form


@login_required
@require_http_methods(["POST"])
def assign_pending(request: AuthedRequest, slug: str) -> HttpResponse:
    access, _form = _lead(request, slug)
    chosen = ExtractorsForm(request.POST, eligible=selectors.eligible_extractors(review=access.review))
    try:
        if not chosen.is_valid():
            raise ServiceError(first_error(chosen))
        people = chosen.chosen()
        made = services.extractions_assign_pending(review=access.review, by=request.user, extractors=people)
        messages.success(request, f"{made} extraction{'s' if made != 1 else ''} assigned.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("charting:home", slug=slug)


@login_required
@require_http_methods(["POST"])
def assign_study(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access, _form = _lead(request, slug)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    chosen = ExtractorsForm(request.POST, eligible=selectors.eligible_extractors(review=access.review))
    try:
        if not chosen.is_valid():
            raise ServiceError(first_error(chosen))
        people = chosen.chosen()
        services.extraction_assign(review=access.review, record=record, extractors=people, by=request.user)
        messages.success(request, "Study assigned.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("charting:home", slug=slug)


@login_required
@require_http_methods(["POST"])
def reassign(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    access, _form = _lead(request, slug)
    extraction = extraction_for_lead(access=access, extraction_id=extraction_id)
    chosen = ReassignForm(request.POST, eligible=selectors.eligible_extractors(review=access.review))
    try:
        if not chosen.is_valid():
            raise ServiceError(first_error(chosen))
        person = chosen.chosen()
        services.extraction_reassign(extraction=extraction, to=person, by=request.user)
        messages.success(request, f"Reassigned to {person.get_username()}.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("charting:home", slug=slug)


@login_required
@require_http_methods(["POST"])
def reopen(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    """The lead sends a submitted extraction back to its extractor, e.g. after revising the form."""
    access, _form = _lead(request, slug)
    extraction = extraction_for_lead(access=access, extraction_id=extraction_id)
    try:
        services.extraction_reopen(extraction=extraction, by=request.user)
        messages.success(request, f"{extraction.extractor.get_username()} can change this extraction again.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("charting:pilot" if extraction.round == Extraction.Round.PILOT else "charting:home", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def pilot(request: AuthedRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        access, _form = _lead(request, slug)
        chosen = PilotForm(
            request.POST, review=access.review, eligible=selectors.eligible_extractors(review=access.review)
        )
        try:
            if not chosen.is_valid():
                raise ServiceError(first_error(chosen))
            records, people = list(chosen.cleaned_data["records"]), chosen.chosen()
            made = services.pilot_assign(review=access.review, records=records, extractors=people, by=request.user)
            messages.success(request, f"Pilot: {made} extraction{'s' if made != 1 else ''} assigned.")
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("charting:pilot", slug=slug)
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    context: dict[str, Any] = {"access": access, "review": access.review, "form": form}
    if form is not None:
        progress = selectors.round_progress(review=access.review, round=Extraction.Round.PILOT)
        in_pilot = {p.record.pk for p in progress}
        context.update(
            progress=progress,
            agreement=pilot_agreement(form=form),
            candidates=selectors.chartable_records(review=access.review).exclude(pk__in=in_pilot)[:200]
            if access.is_lead
            else [],
            extractors=selectors.eligible_extractors(review=access.review),
        )
    return render(request, "charting/pilot.html", context)


def _compare_context(access: ReviewAccess, form: Form, record: Record, round: str, user: User) -> dict[str, Any]:
    group = selectors.active_extractions(review=access.review, record=record, round=round)
    visible = selectors.all_submitted(group)
    context: dict[str, Any] = {
        "access": access,
        "review": access.review,
        "form": form,
        "record": record,
        "round": round,
        "extractions": group,
        "visible": visible,
    }
    if not visible:
        return context  # blinded: who has submitted, but no values
    values, sources = selectors.latest_answers(e.pk for e in group)
    finals, final_sources = selectors.final_answers(form=form, record_ids=[record.pk])
    final, cited = finals.get(record.pk, {}), final_sources.get(record.pk, {})
    history = list(selectors.consensus_history(form=form, record=record))
    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    sets = [values.get(e.pk, {}) for e in group]
    rows = []
    # Instances of a repeating group are matched by number: instance 2 of one extractor beside instance 2 of the
    # other; an instance only one of them has shows as a difference (the other's answer is empty).
    for field, instance, addr in selectors.study_addresses(fields, [*sets, final]):
        answers = [answers_of.get(addr) for answers_of in sets]
        rows.append(
            {
                "field": field,
                "instance": instance,
                "address": addr,
                "answers": [
                    (e, display_value(field, a), sources.get(e.pk, {}).get(addr))
                    for e, a in zip(group, answers, strict=True)
                ],
                "differs": any(a != answers[0] for a in answers[1:]),
                "decided": addr in final or any(h.field_key == field.key and h.instance == instance for h in history),
                "final": display_value(field, final.get(addr)),
                "final_source": cited.get(addr),
                "history": [h for h in history if h.field_key == field.key and h.instance == instance],
                "widget": widget_for(field, final.get(addr), prefix="c"),
            }
        )
    context.update(
        rows=rows,
        can_decide=round == Extraction.Round.MAIN
        and consensus_may_decide(form=form, record=record, user=user, group=group),
        open_fields=sum(1 for r in rows if r["differs"] and not r["decided"]),
    )
    return context


@login_required
@require_http_methods(["GET"])
def study_compare(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("No charting form")
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    round = request.GET.get("round", Extraction.Round.MAIN)
    if round not in Extraction.Round.values:
        raise Http404("No such round")
    return render(request, "charting/compare.html", _compare_context(access, form, record, round, request.user))


@login_required
@require_http_methods(["POST"])
def study_consensus(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    """Set one field's final value: from one extraction (`extraction`) or as entered (the field's widget)."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("No charting form")
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    posted = ConsensusForm(request.POST, fields=fields)
    if not posted.is_valid():
        messages.error(request, first_error(posted))
        context = _compare_context(access, form, record, Extraction.Round.MAIN, request.user)
        template = "charting/compare.html#comparison" if request.htmx else "charting/compare.html"
        return render(request, template, context, status=400)
    field = posted.specs[posted.cleaned_data["field"]]
    key, instance = field.key, posted.cleaned_data["instance"]
    source = None
    if posted.cleaned_data["extraction"] is not None:
        source = consensus_source(access=access, record=record, extraction_id=posted.cleaned_data["extraction"])
    status = 200
    try:
        services.consensus_set(
            form=form,
            record=record,
            by=request.user,
            field_key=key,
            instance=instance,
            value=None if source else raw_from_post(field, request.POST, prefix="c"),
            from_extraction=source,
            note=posted.cleaned_data["note"],
        )
        messages.success(request, f"Consensus for “{field.label}” saved.")
    except ServiceError as error:
        messages.error(request, f"{field.label}: {error.message}")
        status = 409 if error.code == "conflict" else 400
    if request.htmx:
        context = _compare_context(access, form, record, Extraction.Round.MAIN, request.user)
        return render(request, "charting/compare.html#comparison", context, status=status)
    return redirect(f"{_compare_url(slug, record.pk)}#row-{key}{f'-{instance}' if instance else ''}")


def _compare_url(slug: str, record_id: int) -> str:
    from django.urls import reverse

    return reverse("charting:compare", args=[slug, record_id])
