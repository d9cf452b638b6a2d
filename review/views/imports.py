"""Searches, uploads with preview and progress, records list and record pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review import extensions, selectors
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import ENCODING_FORM_CHOICES, EncodingForm, RecordAddForm, SearchForm, UploadForm
from review.http import AuthedRequest
from review.models import Record, RecordEdit, Role, Search, SearchFile
from review.selectors.records import filter_names, query_params, record_rows, records_find, review_tags
from review.services import imports
from review.services.jobs import job_live
from review.services.record_edits import record_originals
from review.views.labels import labels_context

KNOWN_DATABASES = [
    "PubMed", "MEDLINE", "Embase", "CINAHL", "Scopus", "Web of Science", "Cochrane CENTRAL", "PsycINFO",
    "ERIC", "Google Scholar", "ClinicalTrials.gov", "WHO ICTRP",
]  # fmt: skip
KNOWN_PLATFORMS = ["PubMed", "Ovid", "embase.com", "EBSCOhost", "ProQuest", "Web of Science", "Cochrane Library"]


@login_required
@require_http_methods(["GET", "POST"])
def search_list(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    form = SearchForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        status = 400
        if form.is_valid():
            try:
                search = imports.search_create(review=access.review, by=request.user, **form.cleaned_data)
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.http_status
            else:
                return _after_search_added(request, access, search)
    context = {
        "access": access,
        "review": access.review,
        "searches": selectors.searches_for_review(review=access.review),
        "form": form,
        "known_databases": KNOWN_DATABASES,
        "known_platforms": KNOWN_PLATFORMS,
    }
    return render(request, "review/searches.html", context, status=status)


def _after_search_added(request: AuthedRequest, access: ReviewAccess, search: Search) -> HttpResponse:
    """Upload the export files sent with "add a search" straight away (one step instead of two)."""
    files = request.FILES.getlist("export_files")
    uploaded = []
    for upload in files:
        try:
            uploaded.append(
                imports.search_file_upload(
                    review=access.review, search=search, by=request.user, name=upload.name or "", data=upload.read()
                )
            )
        except ServiceError as error:
            messages.error(request, f"Search “{search.label}” added, but {error.message}")
            return redirect("review:search", slug=access.review.slug, search_id=search.pk)
    if len(uploaded) == 1:
        messages.success(request, f"Search “{search.label}” added; its file is being read.")
        return redirect("review:search-file", slug=access.review.slug, file_id=uploaded[0].pk)
    if uploaded:
        messages.success(request, f"Search “{search.label}” added with {len(uploaded)} files; check each preview.")
    else:
        messages.success(request, f"Search “{search.label}” added. Upload its export files now.")
    return redirect("review:search", slug=access.review.slug, search_id=search.pk)


@login_required
@require_http_methods(["GET", "POST"])
def search_edit(request: AuthedRequest, slug: str, search_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search = get_object_or_404(Search, pk=search_id, review=access.review)
    form = SearchForm(request.POST if request.method == "POST" else None, instance=search)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            search.refresh_from_db()  # the form wrote its values onto the instance; the service compares
            try:
                imports.search_update(review=access.review, search=search, by=request.user, **fields)
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.http_status
            else:
                messages.success(request, "Search saved.")
                return redirect("review:search", slug=slug, search_id=search.pk)
    context = {
        "access": access,
        "review": access.review,
        "search": search,
        "form": form,
        "known_databases": KNOWN_DATABASES,
        "known_platforms": KNOWN_PLATFORMS,
    }
    return render(request, "review/search_edit.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def search_delete_view(request: AuthedRequest, slug: str, search_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search = get_object_or_404(Search, pk=search_id, review=access.review)
    label = search.label
    result = imports.search_delete(review=access.review, search=search, by=request.user)
    if result == "deleted":
        messages.success(request, f"Search “{label}” deleted with its files and records.")
        return redirect("review:searches", slug=slug)
    messages.success(
        request,
        f"Search “{label}” archived: some of its records were screened or linked, so they and their provenance stay.",
    )
    return redirect("review:search", slug=slug, search_id=search.pk)


@login_required
@require_http_methods(["GET", "POST"])
def search_detail(request: AuthedRequest, slug: str, search_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    search = get_object_or_404(Search, pk=search_id, review=access.review)
    form = UploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        status = 400
        if form.is_valid():
            uploaded = []
            for upload in form.cleaned_data["export_files"]:
                try:
                    uploaded.append(
                        imports.search_file_upload(
                            review=access.review,
                            search=search,
                            by=request.user,
                            name=upload.name,
                            data=upload,
                            requested_format=form.cleaned_data.get("format") or "auto",
                            requested_encoding=form.cleaned_data.get("encoding") or "auto",
                        )
                    )
                except ServiceError as error:
                    form.add_error("export_files", error.message)
                    status = error.http_status
            if uploaded and not form.errors:
                if len(uploaded) == 1:
                    return redirect("review:search-file", slug=slug, file_id=uploaded[0].pk)
                messages.success(request, f"{len(uploaded)} files uploaded; check each preview and import it.")
                return redirect("review:search", slug=slug, search_id=search.pk)
    files = SearchFile.objects.filter(search=search).exclude(status=SearchFile.Status.DISCARDED).order_by("pk")
    context = {"access": access, "review": access.review, "search": search, "files": files, "form": form}
    return render(request, "review/search.html", context, status=status)


def _file_context(access: object, search_file: SearchFile) -> dict[str, object]:
    job = job_live(search_file.job) if search_file.job else None
    return {
        "access": access,
        "review": search_file.review,
        "file": search_file,
        "job": job,
        "polling": job is not None and not job.finished,
        "encoding_choices": ENCODING_FORM_CHOICES,
    }


@login_required
@require_http_methods(["GET"])
def search_file_detail(request: AuthedRequest, slug: str, file_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    search_file = get_object_or_404(
        SearchFile.objects.select_related("search", "job", "review", "duplicate_of"), pk=file_id, review=access.review
    )
    context = _file_context(access, search_file)
    if request.htmx:
        response = render(request, "review/search_file.html#import-status", context)
        # 286 tells htmx to stop polling once the job is over; the fragment then shows the outcome.
        if not context["polling"]:
            response.status_code = 286
        return response
    return render(request, "review/search_file.html", context)


@login_required
@require_http_methods(["POST"])
def search_file_confirm(request: AuthedRequest, slug: str, file_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search_file = get_object_or_404(SearchFile, pk=file_id, review=access.review)
    try:
        imports.search_file_confirm(review=access.review, search_file=search_file, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("review:search-file", slug=slug, file_id=search_file.pk)


@login_required
@require_http_methods(["POST"])
def search_file_encoding(request: AuthedRequest, slug: str, file_id: int) -> HttpResponse:
    """Read the file again with the encoding the lead chose: the preview runs again before anything is stored."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search_file = get_object_or_404(
        SearchFile.objects.select_related("search", "job", "review", "duplicate_of"), pk=file_id, review=access.review
    )
    form = EncodingForm(request.POST)
    error, status = "", 400
    if not form.is_valid():
        error = "Choose an encoding (or 'auto')"
    else:
        try:
            imports.search_file_choose_encoding(
                review=access.review, search_file=search_file, encoding=form.cleaned_data["encoding"], by=request.user
            )
        except ServiceError as failure:
            if failure.code == "conflict":
                # The file moved on meanwhile (imported or discarded): its page now says what happened.
                messages.error(request, failure.message)
                return redirect("review:search-file", slug=slug, file_id=search_file.pk)
            error, status = failure.message, failure.http_status
        else:
            return redirect("review:search-file", slug=slug, file_id=search_file.pk)
    context = {**_file_context(access, search_file), "encoding_error": error}
    return render(request, "review/search_file.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def search_file_discard(request: AuthedRequest, slug: str, file_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search_file = get_object_or_404(SearchFile, pk=file_id, review=access.review)
    try:
        imports.search_file_discard(review=access.review, search_file=search_file, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("review:search-file", slug=slug, file_id=search_file.pk)
    messages.success(request, f"{search_file.original_name} was discarded; nothing was imported from it.")
    return redirect("review:search", slug=slug, search_id=search_file.search_id)


@login_required
@require_http_methods(["GET"])
def record_list(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    params = query_params(request.GET, drop_empty=True)
    error, status = "", 200
    try:
        records = records_find(access=access, user=request.user, params=params)
    except ServiceError as problem:
        error, status = problem.message, problem.http_status
        records = Record.objects.none()
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    context = {
        "access": access,
        "review": access.review,
        "page": page,
        "rows": record_rows(access=access, user=request.user, records=list(page)),
        "f": {name: request.GET.get(name, "") for name in filter_names()},
        "error": error,
        "query_without_page": others.urlencode(),
        "searches": Search.objects.filter(review=access.review),
        "databases": selectors.record_databases(review=access.review),
        "tags": review_tags(access=access),
        "members": selectors.review_members(review=access.review),
        "may_filter_by_others": access.can_resolve or not extensions.blinded(access.review),
        "status_choices": extensions.record_status_choices(),
    }
    template = "review/records.html#record-table" if request.htmx else "review/records.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET"])
def record_detail(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    record = get_object_or_404(
        Record.objects.select_related("search", "search_file", "merged_into"), pk=record_id, review=access.review
    )
    duplicates = record.duplicates.select_related("search").order_by("pk")
    context = {
        **labels_context(access, request.user, record),
        "record": record,
        "duplicates": duplicates,
        "originals": record_originals(record=record),
        "edits": RecordEdit.objects.filter(record=record).select_related("by"),
    }
    return render(request, "review/record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request: AuthedRequest, slug: str, search_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    search = get_object_or_404(Search, pk=search_id, review=access.review)
    form = RecordAddForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["authors"] = [line for line in (data.get("authors") or "").splitlines() if line.strip()]
        try:
            record = imports.record_add(review=access.review, search=search, by=request.user, **data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = error.http_status
        else:
            messages.success(request, "Record added.")
            return redirect("review:record", slug=slug, record_id=record.pk)
    context = {"access": access, "review": access.review, "search": search, "form": form}
    return render(request, "review/record_add.html", context, status=status)
