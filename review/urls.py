from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("reviews/new/", views.review_create, name="create"),
    path("reviews/<slug:slug>/", views.review_home, name="home"),
    path("reviews/<slug:slug>/members/", views.review_members, name="members"),
    path("reviews/<slug:slug>/members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path("reviews/<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
    path(
        "reviews/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("reviews/<slug:slug>/settings/", views.review_settings, name="settings"),
]
