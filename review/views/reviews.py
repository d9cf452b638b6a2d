"""Review pages: my reviews, review home, members and settings. Thin: forms in, services and selectors out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from review import extensions, selectors, services
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import InviteForm, ReviewCreateForm, ReviewForm, RoleForm
from review.http import AuthedRequest
from review.models import Invitation, Membership, Review, Role


@login_required
@require_http_methods(["GET"])
def review_list(request: AuthedRequest) -> HttpResponse:
    reviews = selectors.reviews_for_user(user=request.user)
    invitations = selectors.invitations_for_user(user=request.user)
    return render(request, "review/list.html", {"reviews": reviews, "invitations": invitations})


@login_required
@require_http_methods(["POST"])
def invitation_respond(request: AuthedRequest, invitation_id: int, answer: str) -> HttpResponse:
    """The invited person accepts or declines an invitation addressed to their account."""
    try:
        membership = services.invitation_respond(
            user=request.user, invitation_id=invitation_id, accept=answer == "accept"
        )
    except ServiceError as error:
        if error.http_status == 404:
            raise Http404(error.message) from None
        messages.error(request, error.message)
        return redirect("review:list")
    if membership is None:
        messages.success(request, "Invitation declined.")
        return redirect("review:list")
    messages.success(request, f"Welcome to “{membership.review.title}”.")
    return redirect("review:home", slug=membership.review.slug)


@login_required
@require_http_methods(["POST"])
def review_leave(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    try:
        services.member_leave(review=access.review, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("review:members", slug=slug)
    messages.success(request, f"You left “{access.review.title}”.")
    return redirect("review:list")


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: AuthedRequest) -> HttpResponse:
    form = ReviewCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        review = services.review_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Review created. Invite your team from the Members page.")
        return redirect("review:home", slug=review.slug)
    return render(request, "review/create.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET"])
def review_home(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    counts = selectors.review_counts(review=access.review)
    return render(
        request,
        "review/home.html",
        {
            "access": access,
            "review": access.review,
            "members": selectors.review_members(review=access.review),
            "counts": counts,
            "settings_summary": extensions.review_summary(access.review),
            "steps": _next_steps(access, counts),
        },
    )


def _next_steps(access: ReviewAccess, counts: dict[str, object]) -> list[dict[str, object]]:
    """The overview's checklist: the review's stages in order, each done or not, the first open one marked as
    what to do next. Stage figures come from the apps' count providers (names as they register them)."""
    slug = access.review.slug

    def n(name: str) -> int:
        value = counts.get(name, 0)
        return value if isinstance(value, int) else 0

    records, waiting, conflicts = n("records"), n("to screen (title/abstract)"), n("conflicts")
    at_full_text, included = n("at full text"), n("included")
    waiting_text = f"{waiting} record waits for votes" if waiting == 1 else f"{waiting} records wait for votes"
    steps = [
        ("Add a search and upload its export file", records > 0, reverse("review:searches", args=[slug]),
         f"{records} records imported" if records else "Searches → Add a search"),
        ("Check the duplicates found", records > 0, reverse("review:dedup", args=[slug]),
         "deduplication runs after each import"),
        ("Screen titles and abstracts", records > 0 and waiting == 0,
         reverse("screening:screen", args=[slug, "title-abstract"]), waiting_text),
        ("Settle conflicts", conflicts == 0, reverse("screening:conflicts-home", args=[slug]),
         f"{conflicts} open" if conflicts else "none open"),
        ("Upload full texts and screen them", at_full_text > 0 and included > 0,
         reverse("screening:bulk-fulltexts", args=[slug]), f"{at_full_text} records at full text"),
        ("Chart the included studies", False, reverse("charting:home", args=[slug]), f"{included} included"),
        ("Report: PRISMA diagram and exports", False, reverse("reporting:prisma", args=[slug]), ""),
    ]  # fmt: skip
    marked = False
    result = []
    for label, done, url, detail in steps:
        is_next = not done and not marked
        marked = marked or is_next
        result.append({"label": label, "done": done, "url": url, "detail": detail, "next": is_next})
    return result


def _members_context(request: AuthedRequest, slug: str) -> dict[str, object]:
    access = review_for_user(user=request.user, slug=slug)
    pending = selectors.review_pending_invitations(review=access.review) if access.is_lead else []
    return {
        "access": access,
        "review": access.review,
        "members": selectors.review_members(review=access.review),
        "invitations": [(invitation, services.invitation_link(invitation=invitation)) for invitation in pending],
        "roles": Role.choices,
    }


@login_required
@require_http_methods(["GET", "POST"])
def review_members(request: AuthedRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        context = _members_context(request, slug)
        context["form"] = InviteForm()
        return render(request, "review/members.html", context)
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    form = InviteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            invitation, _token = services.member_invite(
                review=access.review,
                by=request.user,
                identifier=form.cleaned_data["identifier"],
                role=Role(form.cleaned_data["role"]),
            )
        except ServiceError as error:
            form.add_error("identifier", error.message)
            status = error.http_status
        else:
            messages.success(
                request,
                f"{invitation.invited_as} is invited; they join when they accept. "
                "The link is below to copy, and it goes out by e-mail.",
            )
            return redirect("review:members", slug=slug)
    context = _members_context(request, slug)
    context["form"] = form
    return render(request, "review/members.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def member_role(request: AuthedRequest, slug: str, membership_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    membership = get_object_or_404(Membership, pk=membership_id, review=access.review)
    form = RoleForm(request.POST)
    status = 200
    if not form.is_valid():
        messages.error(request, "Choose a role: lead, reviewer or viewer.")
        status = 400
    else:
        try:
            services.member_change_role(
                review=access.review,
                by=request.user,
                membership=membership,
                role=Role(form.cleaned_data["role"]),
            )
            messages.success(request, f"{membership.user.get_username()} is now {membership.get_role_display()}.")
        except ServiceError as error:
            messages.error(request, error.message)
            status = error.http_status
    return _members_after_change(request, slug, status)


@login_required
@require_http_methods(["POST"])
def member_remove(request: AuthedRequest, slug: str, membership_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    membership = get_object_or_404(Membership, pk=membership_id, review=access.review)
    status = 200
    try:
        services.member_remove(review=access.review, by=request.user, membership=membership)
        messages.success(request, f"{membership.user.get_username()} was removed from the review.")
    except ServiceError as error:
        messages.error(request, error.message)
        status = error.http_status
    if membership.user_id == request.user.pk and status == 200:
        return redirect("review:list")
    return _members_after_change(request, slug, status)


@login_required
@require_http_methods(["POST"])
def invitation_revoke(request: AuthedRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    invitation = get_object_or_404(Invitation, pk=invitation_id, review=access.review)
    services.invitation_revoke(review=access.review, by=request.user, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.invited_as} was withdrawn.")
    return _members_after_change(request, slug, 200)


def _members_after_change(request: AuthedRequest, slug: str, status: int) -> HttpResponse:
    if request.htmx:
        context = _members_context(request, slug)
        return render(request, "review/members.html#member-list", context, status=status)
    return redirect("review:members", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    # The form gets its own copy: validating a ModelForm writes into its instance, and the service must see
    # the stored values to audit what changed.
    form = ReviewForm(request.POST or None, instance=Review.objects.get(pk=access.review.pk))
    if request.method == "POST":
        if form.is_valid():
            # Hand the cleaned values to the service, not form.save(): the service audits what changed.
            services.review_update(review=access.review, by=request.user, **form.cleaned_data)
            messages.success(request, "Settings saved.")
            return redirect("review:settings", slug=slug)
        context = {"access": access, "review": access.review, "form": form}
        return render(request, "review/settings.html", context, status=400)
    return render(request, "review/settings.html", {"access": access, "review": access.review, "form": form})
