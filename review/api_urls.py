from django.urls import path

from review import api

urlpatterns = [
    path("reviews/", api.ReviewListCreate.as_view(), name="api-reviews"),
    path("reviews/<slug:review>/", api.ReviewDetail.as_view(), name="api-review"),
    path("reviews/<slug:review>/members/", api.MemberListCreate.as_view(), name="api-members"),
    path("reviews/<slug:review>/members/<int:member_id>/", api.MemberDetail.as_view(), name="api-member"),
    path("tokens/", api.TokenListCreate.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", api.TokenRevoke.as_view(), name="api-token"),
]
