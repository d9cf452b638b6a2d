from django.urls import path

from review.views import dedup as dedup_views
from review.views import imports as import_views
from review.views import reviews as views

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
    path("reviews/<slug:slug>/leave/", views.review_leave, name="leave"),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_respond,
        {"answer": "accept"},
        name="invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        views.invitation_respond,
        {"answer": "decline"},
        name="invitation-decline",
    ),
    path("reviews/<slug:slug>/settings/", views.review_settings, name="settings"),
    path("reviews/<slug:slug>/searches/", import_views.search_list, name="searches"),
    path("reviews/<slug:slug>/searches/<int:search_id>/", import_views.search_detail, name="search"),
    path("reviews/<slug:slug>/searches/<int:search_id>/add-record/", import_views.record_add, name="record-add"),
    path("reviews/<slug:slug>/files/<int:file_id>/", import_views.search_file_detail, name="search-file"),
    path(
        "reviews/<slug:slug>/files/<int:file_id>/import/", import_views.search_file_confirm, name="search-file-confirm"
    ),
    path(
        "reviews/<slug:slug>/files/<int:file_id>/encoding/",
        import_views.search_file_encoding,
        name="search-file-encoding",
    ),
    path(
        "reviews/<slug:slug>/files/<int:file_id>/discard/",
        import_views.search_file_discard,
        name="search-file-discard",
    ),
    path("reviews/<slug:slug>/records/", import_views.record_list, name="records"),
    path("reviews/<slug:slug>/records/<int:record_id>/", import_views.record_detail, name="record"),
    path("reviews/<slug:slug>/duplicates/", dedup_views.dedup_home, name="dedup"),
    path("reviews/<slug:slug>/duplicates/possible/", dedup_views.possible_next, name="possible"),
    path(
        "reviews/<slug:slug>/duplicates/possible/<int:pair_id>/",
        dedup_views.possible_decide,
        name="possible-decide",
    ),
    path("reviews/<slug:slug>/duplicates/groups/", dedup_views.group_list, name="groups"),
    path("reviews/<slug:slug>/duplicates/groups/<int:record_id>/", dedup_views.group_detail, name="group"),
    path("reviews/<slug:slug>/duplicates/log.csv", dedup_views.dedup_log_csv, name="dedup-log"),
]
