"""Log in (rate-limited), accept an invitation, and the profile page with API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from review import selectors, services
from review.errors import ServiceError
from review.forms import ApiTokenForm, InvitationAcceptForm
from review.http import AuthedRequest

LOGIN_ATTEMPTS_PER_WINDOW = 10
LOGIN_WINDOW_SECONDS = 300


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def login_view(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        # Count failed attempts per client address and per username; the cache is shared by all web workers.
        keys = [
            f"login-fail:ip:{_client_ip(request)}",
            f"login-fail:user:{request.POST.get('username', '')[:150].lower()}",
        ]
        if any((cache.get(key) or 0) >= LOGIN_ATTEMPTS_PER_WINDOW for key in keys):
            refused = render(
                request,
                "accounts/login.html",
                {"locked": True, "form": AuthenticationForm(request)},
                status=429,
            )
            refused["Retry-After"] = str(LOGIN_WINDOW_SECONDS)
            return refused
        response = auth_views.LoginView.as_view(template_name="accounts/login.html")(request)
        if response.status_code != 302:
            for key in keys:
                cache.add(key, 0, LOGIN_WINDOW_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, LOGIN_WINDOW_SECONDS)
        return response
    return auth_views.LoginView.as_view(template_name="accounts/login.html")(request)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except ServiceError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=404)
    form = InvitationAcceptForm(request.POST or None)
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
    form = ApiTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
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
    except ServiceError:
        return render(request, "404.html", status=404)
    messages.success(request, f"Token “{token.name}” revoked; scripts using it stop working now.")
    return redirect("accounts:profile")
