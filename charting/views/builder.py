"""The form builder: start a form, then add, edit, move and delete sections and fields (lead only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from charting import selectors, services
from charting.forms import (
    ConfirmForm,
    FieldForm,
    FieldMoveForm,
    FormSettingsForm,
    FormStartForm,
    SectionEditForm,
    SectionForm,
)
from charting.keys import choice_lines
from charting.models import Field, Form
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Review, Role


def _copy_sources(request: AuthedRequest, review: Review) -> list[tuple[str, str]]:
    """Reviews the person leads that have a form to copy (never this one)."""
    return selectors.forms_to_copy(user=request.user, review=review)


def _form_or_404(access: ReviewAccess) -> Form:
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("This review has no charting form yet")
    return form


def _builder_context(access: ReviewAccess, form: Form, **extra: Any) -> dict[str, Any]:
    version = selectors.form_current_version(form=form)
    sections = selectors.version_sections(version=version)
    all_fields = [f for _s, fields in sections for f in fields]
    return {
        "access": access,
        "review": access.review,
        "form": form,
        "version": version,
        "started": selectors.version_started(version=version),
        "sections": sections,
        "versions": selectors.form_versions(form=form),
        "field_form": FieldForm(sections=[s for s, _f in sections], fields=all_fields),
        "section_form": SectionForm(auto_id="id_section_%s"),
        "settings_form": FormSettingsForm(
            initial={"title": form.title, "extractors_per_study": form.extractors_per_study}
        ),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def form_builder(request: AuthedRequest, slug: str) -> HttpResponse:
    """GET: the form (everyone reads it). POST: the lead starts the form (empty, template or copy)."""
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        return _start(request, access)
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        start = FormStartForm(copy_sources=_copy_sources(request, access.review))
        context = {"access": access, "review": access.review, "start_form": start}
        return render(request, "charting/builder.html", context)
    return render(request, "charting/builder.html", _builder_context(access, form))


def _start(request: AuthedRequest, access: ReviewAccess) -> HttpResponse:
    start = FormStartForm(request.POST, copy_sources=_copy_sources(request, access.review))
    if start.is_valid():
        choice, title = start.cleaned_data["start"], start.cleaned_data["title"]
        kind, _sep, name = choice.partition(":")
        try:
            if kind == "review":
                source = review_for_user(user=request.user, slug=name, min_role=Role.LEAD).review
                services.form_create(review=access.review, by=request.user, title=title, copy_from=source.charting_form)
            else:
                services.form_create(review=access.review, by=request.user, title=title, template=name)
        except ServiceError as error:
            start.add_error(None, error.message)
        else:
            messages.success(request, "The charting form is ready. Review its fields before the pilot.")
            return redirect("charting:form", slug=access.review.slug)
    context = {"access": access, "review": access.review, "start_form": start}
    return render(request, "charting/builder.html", context, status=400)


def _after_edit(
    request: AuthedRequest, access: ReviewAccess, form: Form, *, status: int = 200, **extra: Any
) -> HttpResponse:
    if request.htmx:
        context = _builder_context(access, form, **extra)
        return render(request, "charting/builder.html#form-builder", context, status=status)
    if status >= 400:
        return render(request, "charting/builder.html", _builder_context(access, form, **extra), status=status)
    return redirect("charting:form", slug=access.review.slug)


def _lead_form(request: AuthedRequest, slug: str) -> tuple[ReviewAccess, Form]:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    return access, _form_or_404(access)


@login_required
@require_http_methods(["POST"])
def form_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    settings_form = FormSettingsForm(request.POST)
    if not settings_form.is_valid():
        return _after_edit(request, access, form, status=400, settings_form=settings_form)
    services.form_update_settings(form=form, by=request.user, **settings_form.cleaned_data)
    messages.success(request, "Form settings saved.")
    return _after_edit(request, access, form)


@login_required
@require_http_methods(["POST"])
def section_add(request: AuthedRequest, slug: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    section_form = SectionForm(request.POST, auto_id="id_section_%s")
    if section_form.is_valid():
        services.section_add(form=form, by=request.user, **section_form.cleaned_data)
        messages.success(request, "Section added.")
        return _after_edit(request, access, form)
    return _after_edit(request, access, form, status=400, section_form=section_form)


@login_required
@require_http_methods(["POST"])
def section_edit(request: AuthedRequest, slug: str, section_key: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    posted = SectionEditForm(request.POST)
    try:
        if not posted.is_valid():
            raise ServiceError(first_error(posted))
        data = posted.cleaned_data
        if data["delete"]:
            services.section_delete(form=form, by=request.user, section_key=section_key)
            messages.success(request, "Section deleted.")
        else:
            services.section_update(
                form=form,
                by=request.user,
                section_key=section_key,
                title=data["title"],
                # The checkbox sends nothing when unticked; the hidden marker says the form showed it.
                repeating=data["repeating"] if data["repeating_shown"] else None,
                instance_label=data["instance_label"] if "instance_label" in request.POST else None,
            )
            messages.success(request, "Section saved.")
    except ServiceError as error:
        if error.code == "not_found":
            raise Http404(error.message) from None
        messages.error(request, error.message)
        return _after_edit(request, access, form, status=error.http_status)
    return _after_edit(request, access, form)


def _field_form(request: AuthedRequest, form: Form, existing: Field | None) -> FieldForm:
    version = selectors.form_current_version(form=form)
    sections = selectors.version_sections(version=version)
    fields = [f for _s, group in sections for f in group]
    return FieldForm(request.POST, sections=[s for s, _f in sections], fields=fields, existing=existing)


@login_required
@require_http_methods(["POST"])
def field_add(request: AuthedRequest, slug: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    field_form = _field_form(request, form, None)
    if field_form.is_valid():
        try:
            field = services.field_add(
                form=form,
                by=request.user,
                section_key=field_form.cleaned_data["section"],
                **field_form.service_kwargs(),
            )
        except ServiceError as error:
            field_form.add_error(error.field if error.field in field_form.fields else None, error.message)
        else:
            messages.success(request, f"Field “{field.label}” added.")
            return _after_edit(request, access, form)
    return _after_edit(request, access, form, status=400, field_form=field_form)


def _current_field(form: Form, key: str) -> Field:
    field = selectors.current_field(form=form, key=key)
    if field is None:
        raise Http404("No such field")
    return field


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: AuthedRequest, slug: str, key: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    field = _current_field(form, key)
    if request.method == "GET":
        version = selectors.form_current_version(form=form)
        sections = selectors.version_sections(version=version)
        initial = {
            **{k: getattr(field, k) for k in ("label", "type", "help_text", "required", "unit", "allow_other")},
            "section": field.section.key,
            "choices_text": choice_lines(field.choices),
            "condition_key": field.condition_key,
            "condition_value": field.condition_value,
        }
        edit_form = FieldForm(
            initial=initial,
            sections=[s for s, _f in sections],
            fields=[f for _s, group in sections for f in group],
            existing=field,
        )
        context = {"access": access, "review": access.review, "form": form, "field": field, "edit_form": edit_form}
        return render(request, "charting/field_edit.html", context)
    edit_form = _field_form(request, form, field)
    if edit_form.is_valid():
        try:
            services.field_update(
                form=form,
                by=request.user,
                key=key,
                section_key=edit_form.cleaned_data["section"],
                **edit_form.service_kwargs(),
            )
        except ServiceError as error:
            edit_form.add_error(error.field if error.field in edit_form.fields else None, error.message)
        else:
            messages.success(request, f"Field “{edit_form.cleaned_data['label']}” saved.")
            return redirect("charting:form", slug=slug)
    context = {"access": access, "review": access.review, "form": form, "field": field, "edit_form": edit_form}
    return render(request, "charting/field_edit.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def field_delete(request: AuthedRequest, slug: str, key: str) -> HttpResponse:
    """GET asks (saying how many studies have data); POST deletes, with confirm=1 when data exists."""
    access, form = _lead_form(request, slug)
    field = _current_field(form, key)
    with_data = selectors.field_value_count(form=form, key=key)
    context = {"access": access, "review": access.review, "form": form, "field": field, "with_data": with_data}
    if request.method == "GET":
        return render(request, "charting/field_delete.html", context)
    try:
        confirm = ConfirmForm(request.POST).confirmed()
        services.field_delete(form=form, by=request.user, key=key, confirm=confirm)
    except ServiceError as error:
        messages.error(request, error.message)
        return render(request, "charting/field_delete.html", context, status=error.http_status)
    messages.success(request, f"Field “{field.label}” deleted; any data it had is kept.")
    return redirect("charting:form", slug=slug)


@login_required
@require_http_methods(["POST"])
def field_move(request: AuthedRequest, slug: str, key: str) -> HttpResponse:
    access, form = _lead_form(request, slug)
    _current_field(form, key)
    move = FieldMoveForm(request.POST)
    try:
        if not move.is_valid():
            raise ServiceError("Move up or down", field="direction")
        services.field_move(form=form, by=request.user, key=key, direction=move.cleaned_data["direction"])
    except ServiceError as error:
        messages.error(request, error.message)
        return _after_edit(request, access, form, status=error.http_status)
    return _after_edit(request, access, form)
