"""The progress dashboard (every member) and the lead's screening settings: rules, order, highlighted terms,
exclusion reasons, pilot rounds and blinding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest, page_status
from review.models import Role
from screening import selectors
from screening.forms import BlindingForm, PilotForm, ReasonAddForm, ReasonChangeForm, SettingsForm
from screening.models import ExclusionReason, Stage
from screening.selectors.prioritisation import prioritisation_summary
from screening.selectors.progress import pilot_summary, stage_progress
from screening.services import config as config_services
from screening.services.common import settings_for
from screening.stopping import stopping_state


@login_required
@require_http_methods(["GET"])
def progress(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.VIEWER)
    pilots = selectors.pilots_of(review=access.review)[:3]
    summaries = [prioritisation_summary(review=access.review, stage=stage) for stage in Stage]
    context = {
        "access": access,
        "review": access.review,
        "stages": stage_progress(access=access, user=request.user),
        "pilots": [pilot_summary(access=access, pilot=p) for p in pilots],
        "prioritisation": summaries,
        "stopping": [
            stopping_state(
                review=access.review, stage=p.stage, screened_since_last_include=p.screened_since_last_include
            )
            for p in summaries
        ],
    }
    return render(request, "screening/progress.html", context)


def _settings_context(request: AuthedRequest, slug: str, form: SettingsForm | None = None) -> dict[str, object]:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    config = settings_for(access.review)
    if form is None:
        form = SettingsForm(
            initial={
                "votes_required_title_abstract": config.votes_required_title_abstract,
                "votes_required_full_text": config.votes_required_full_text,
                "maybe_goes_to_full_text": config.maybe_goes_to_full_text,
                "reason_mismatch_is_conflict": config.reason_mismatch_is_conflict,
                "title_abstract_reasons": config.title_abstract_reasons,
                "order_title_abstract": config.order_title_abstract,
                "order_full_text": config.order_full_text,
                "random_seed": config.random_seed,
                "show_relevance": config.show_relevance,
                "stop_target_recall": config.stop_target_recall,
                "stop_confidence": config.stop_confidence,
                "include_terms": "\n".join(config.include_terms),
                "exclude_terms": "\n".join(config.exclude_terms),
            }
        )
    return {
        "access": access,
        "review": access.review,
        "config": config,
        "form": form,
        "reasons": selectors.exclusion_reasons(review=access.review, include_archived=True),
        "pilots": selectors.pilots_of(review=access.review),
        "open_pilot": selectors.open_pilot(review=access.review, stage=Stage.TITLE_ABSTRACT),
    }


@login_required
@require_http_methods(["GET", "POST"])
def screening_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "screening/settings.html", _settings_context(request, slug))
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return render(request, "screening/settings.html", _settings_context(request, slug, form), status=400)
    # A form without the stopping fields or the votes required (an older page) leaves them as they are.
    fields = {k: v for k, v in form.cleaned_data.items() if not (k.startswith(("stop_", "votes_")) and v is None)}
    config_services.screening_settings_update(review=access.review, by=request.user, **fields)
    messages.success(request, "Screening settings saved.")
    return redirect("screening:settings", slug=slug)


@login_required
@require_http_methods(["POST"])
def reason_add(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = ReasonAddForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="label")
        config_services.exclusion_reason_add(review=access.review, by=request.user, label=form.cleaned_data["label"])
    except ServiceError as error:
        messages.error(request, error.message)
        return _reasons_after(request, slug, status=page_status(error))
    return _reasons_after(request, slug)


@login_required
@require_http_methods(["POST"])
def reason_change(request: AuthedRequest, slug: str, reason_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    reason = get_object_or_404(ExclusionReason, pk=reason_id, review=access.review)
    form = ReasonChangeForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form))
        action = form.cleaned_data["action"]
        if action in ("up", "down"):
            offset = -1 if action == "up" else 1
            config_services.exclusion_reason_move(review=access.review, by=request.user, reason=reason, offset=offset)
        elif action in ("archive", "restore"):
            config_services.exclusion_reason_update(
                review=access.review, by=request.user, reason=reason, archived=action == "archive"
            )
        else:
            config_services.exclusion_reason_update(
                review=access.review, by=request.user, reason=reason, label=form.cleaned_data["label"]
            )
    except ServiceError as error:
        messages.error(request, error.message)
        return _reasons_after(request, slug, status=page_status(error))
    return _reasons_after(request, slug)


def _reasons_after(request: AuthedRequest, slug: str, status: int = 200) -> HttpResponse:
    """The reason list again (htmx), with the status of what was asked; a plain form post goes back to the page."""
    if request.htmx:
        context = _settings_context(request, slug)
        return render(request, "screening/settings.html#reason-list", context, status=status)
    return redirect("screening:settings", slug=slug)


@login_required
@require_http_methods(["POST"])
def pilot(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = PilotForm(request.POST)
    if not form.is_valid():
        context = _settings_context(request, slug)
        messages.error(request, first_error(form))
        return render(request, "screening/settings.html", context, status=400)
    values = form.cleaned_data
    try:
        if values["action"] == "close":
            found = get_object_or_404(selectors.pilots_of(review=access.review), pk=values["pilot"])
            config_services.pilot_close(review=access.review, by=request.user, pilot=found)
            messages.success(request, "The pilot round is closed; the main round has started.")
        else:
            size = values["size"] if values["size"] is not None else 25
            config_services.pilot_start(review=access.review, by=request.user, size=size)
            messages.success(request, "Pilot round started: every reviewer screens its sample first.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("screening:settings", slug=slug)


@login_required
@require_http_methods(["POST"])
def blinding(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = BlindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return render(request, "screening/settings.html", _settings_context(request, slug), status=400)
    blinded = form.cleaned_data["blinded"] == "on"
    config_services.review_unblind(review=access.review, by=request.user, blinded=blinded)
    messages.success(request, "Blinding is on." if blinded else "The review is unblinded: everyone sees every vote.")
    return redirect("screening:settings", slug=slug)
