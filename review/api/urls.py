from django.urls import path

from review import audit
from review.api import dedup as api_dedup
from review.api import imports as api_imports
from review.api import invitations as api_invitations
from review.api import labels as api_labels
from review.api import reviews

urlpatterns = [
    path("reviews/", reviews.ReviewListCreate.as_view(), name="api-reviews"),
    path("reviews/<slug:review>/", reviews.ReviewDetail.as_view(), name="api-review"),
    path("reviews/<slug:review>/members/", reviews.MemberListCreate.as_view(), name="api-members"),
    path("reviews/<slug:review>/members/<int:member_id>/", reviews.MemberDetail.as_view(), name="api-member"),
    path("reviews/<slug:review>/invitations/", reviews.InvitationList.as_view(), name="api-invitations"),
    path(
        "reviews/<slug:review>/invitations/<int:invitation_id>/",
        reviews.InvitationRevoke.as_view(),
        name="api-invitation",
    ),
    path("reviews/<slug:review>/leave/", api_invitations.ReviewLeave.as_view(), name="api-review-leave"),
    path("invitations/", api_invitations.MyInvitationList.as_view(), name="api-my-invitations"),
    path(
        "invitations/<int:invitation_id>/accept/",
        api_invitations.MyInvitationAccept.as_view(),
        name="api-my-invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        api_invitations.MyInvitationDecline.as_view(),
        name="api-my-invitation-decline",
    ),
    path("tokens/", reviews.TokenListCreate.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", reviews.TokenRevoke.as_view(), name="api-token"),
]

urlpatterns += [
    path("reviews/<slug:review>/searches/", api_imports.SearchListCreate.as_view(), name="api-searches"),
    path("reviews/<slug:review>/searches/<int:search_id>/", api_imports.SearchDetail.as_view(), name="api-search"),
    path(
        "reviews/<slug:review>/searches/<int:search_id>/files/",
        api_imports.SearchFileUpload.as_view(),
        name="api-search-files",
    ),
    path("reviews/<slug:review>/files/<int:file_id>/", api_imports.SearchFileDetail.as_view(), name="api-file"),
    path(
        "reviews/<slug:review>/files/<int:file_id>/encoding/",
        api_imports.SearchFileEncoding.as_view(),
        name="api-file-encoding",
    ),
    path(
        "reviews/<slug:review>/files/<int:file_id>/import/",
        api_imports.SearchFileConfirm.as_view(),
        name="api-file-import",
    ),
    path(
        "reviews/<slug:review>/files/<int:file_id>/discard/",
        api_imports.SearchFileDiscard.as_view(),
        name="api-file-discard",
    ),
    path("reviews/<slug:review>/jobs/<int:job_id>/", api_imports.JobDetail.as_view(), name="api-job"),
    path("reviews/<slug:review>/records/", api_imports.RecordListCreate.as_view(), name="api-records"),
    path("reviews/<slug:review>/records/<int:record_id>/", api_imports.RecordDetail.as_view(), name="api-record"),
    path("reviews/<slug:review>/tags/", api_labels.ReviewTags.as_view(), name="api-tags"),
    path("reviews/<slug:review>/audit/", audit.AuditList.as_view(), name="api-audit"),
    path(
        "reviews/<slug:review>/records/<int:record_id>/tags/", api_labels.RecordTags.as_view(), name="api-record-tags"
    ),
    path(
        "reviews/<slug:review>/records/<int:record_id>/tags/<int:tag_id>/",
        api_labels.RecordTagDetail.as_view(),
        name="api-record-tag",
    ),
    path(
        "reviews/<slug:review>/records/<int:record_id>/notes/",
        api_labels.RecordNotes.as_view(),
        name="api-record-notes",
    ),
    path(
        "reviews/<slug:review>/records/<int:record_id>/edits/",
        api_labels.RecordEdits.as_view(),
        name="api-record-edits",
    ),
    path("reviews/<slug:review>/dedup/", api_dedup.DedupSummary.as_view(), name="api-dedup"),
    path("reviews/<slug:review>/dedup/runs/", api_dedup.DedupRunStart.as_view(), name="api-dedup-runs"),
    path("reviews/<slug:review>/dedup/runs/<int:run_id>/", api_dedup.DedupRunDetail.as_view(), name="api-dedup-run"),
    path("reviews/<slug:review>/dedup/groups/", api_dedup.GroupList.as_view(), name="api-dedup-groups"),
    path(
        "reviews/<slug:review>/dedup/groups/<int:record_id>/", api_dedup.GroupDetail.as_view(), name="api-dedup-group"
    ),
    path(
        "reviews/<slug:review>/dedup/groups/<int:record_id>/split/",
        api_dedup.GroupSplit.as_view(),
        name="api-dedup-split",
    ),
    path("reviews/<slug:review>/dedup/possible/", api_dedup.PossibleList.as_view(), name="api-dedup-possible"),
    path(
        "reviews/<slug:review>/dedup/possible/<int:pair_id>/",
        api_dedup.PossibleDecide.as_view(),
        name="api-dedup-decide",
    ),
    path("reviews/<slug:review>/dedup/log.csv", api_dedup.DedupLog.as_view(), name="api-dedup-log"),
]
