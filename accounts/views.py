"""Log in (rate-limited), accept an invitation, and the profile page with API tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import SESSION_KEY, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import throttles
from accounts.services import passwords as password_services
from review import selectors, services
from review.errors import ServiceError
from review.forms import ApiTokenForm, InvitationAcceptForm
from review.http import AuthedRequest


def _locked(request: HttpRequest, seconds: int) -> HttpResponse:
    refused = render(request, "accounts/login.html", {"locked": True, "form": AuthenticationForm(request)}, status=429)
    refused["Retry-After"] = str(seconds)
    return refused


def _throttled(request: HttpRequest, view: Callable[[HttpRequest], HttpResponseBase]) -> HttpResponseBase:
    """Run a log-in view under the shared throttle: per account (however its name is spelt) and per client.

    Both the site's log-in page and the admin's use this, so they share one count of failures.
    """
    if request.method != "POST":
        return view(request)
    account = throttles.account_key(str(request.POST.get("username", ""))[:300])
    client = throttles.client_address(request)
    per_account, per_client = throttles.login_account_limit(), throttles.login_client_limit()
    # Reserve the attempt before the password is checked, so that concurrent guesses cannot all slip under the limit.
    if (
        throttles.reserve(per_account, account) > per_account.limit
        or throttles.reserve(per_client, client) > per_client.limit
    ):
        return _locked(request, per_account.window_seconds)
    response = view(request)
    user = getattr(request, "user", None)
    if (
        response.status_code == 302
        and user is not None
        and user.is_authenticated
        and request.session.get(SESSION_KEY) == str(user.pk)
        and throttles.account_key(user.get_username()) == account
    ):
        # A successful log-in is not a guess: the account starts afresh and the client gets its attempt back.
        throttles.reset(per_account, account)
        throttles.release(per_client, client)
    return response


def login_view(request: HttpRequest) -> HttpResponseBase:
    return _throttled(request, auth_views.LoginView.as_view(template_name="accounts/login.html"))


def admin_login(request: HttpRequest) -> HttpResponseBase:
    return _throttled(request, admin.site.login)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except ServiceError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=404)
    if invitation.invitee_id is not None:
        # Addressed to an existing account: only that account, logged in, may answer it.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.pk != invitation.invitee_id:
            message = "This invitation is for another account. Log in as the invited person to answer it."
            return render(request, "accounts/invitation_invalid.html", {"message": message}, status=404)
        return render(request, "accounts/invitation_account.html", {"invitation": invitation})
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in ("username",) else "password1", error.message)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to “{membership.review.title}”.")
            return redirect("review:home", slug=membership.review.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_key = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
            form = ApiTokenForm()
        else:
            status = 400
    tokens = selectors.user_api_tokens(user=request.user)
    return render(request, "accounts/profile.html", {"form": form, "tokens": tokens, "new_key": new_key}, status=status)


@login_required
@require_http_methods(["POST"])
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except ServiceError as error:
        return render(request, "404.html", status=error.http_status)
    messages.success(request, f"Token “{token.name}” revoked; scripts using it stop working now.")
    return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoked = services.api_tokens_revoke_all(user=form.user, reason="password changed")
        if revoked:
            messages.info(self.request, f"Your password changed, so your {revoked} API token(s) were revoked.")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.api_tokens_revoke_all(user=form.user, reason="password reset")
        # Whoever reset the password owns the mailbox: the guesses made against the old one no longer lock them out.
        throttles.reset(throttles.login_account_limit(), throttles.account_key(form.user.get_username()))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link, throttled per client and per address; the mail goes out from a background task."""

    template_name = "accounts/password_reset.html"
    http_method_names = ["get", "post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        per_client = throttles.reset_client_limit()
        if throttles.reserve(per_client, throttles.client_address(request)) > per_client.limit:
            refused = render(
                request, "accounts/password_reset.html", {"form": self.get_form(), "locked": True}, status=429
            )
            refused["Retry-After"] = str(per_client.window_seconds)
            return refused
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        per_address = throttles.reset_address_limit()
        # Over the limit for this address, nothing is sent but the answer is the same as always: whoever asks
        # learns nothing about the address, and its owner's inbox is not flooded.
        if throttles.reserve(per_address, email.strip().casefold()) <= per_address.limit:
            password_services.password_reset_request(email=email)
        return redirect(self.get_success_url())
