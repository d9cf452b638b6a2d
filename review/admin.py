"""The admin's user pages, with one addition: setting a password there revokes the account's API tokens, as
changing or resetting it on the site does."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from review import services


class UserAdmin(DjangoUserAdmin):
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                services.api_tokens_revoke_all(user=user, reason="password set by an administrator")
        return response


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
