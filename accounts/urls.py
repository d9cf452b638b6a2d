from django.urls import path

from review import views_accounts

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views_accounts.invitation_accept, name="invitation"),
    path("profile/", views_accounts.profile, name="profile"),
    path("tokens/<int:token_id>/revoke/", views_accounts.token_revoke, name="token-revoke"),
]
