"""API for the invited person and for leaving: my invitations, accept, decline; leave a review."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review import selectors, services
from review.access import review_for_user
from review.http import api_user
from review.models import Invitation


class MyInvitationOut(serializers.ModelSerializer):
    review = serializers.CharField(source="review.slug")
    review_title = serializers.CharField(source="review.title")
    invited_by = serializers.CharField(source="invited_by.username")

    class Meta:
        model = Invitation
        fields = ["id", "review", "review_title", "role", "invited_by", "created_at", "expires_at"]


class JoinedOut(serializers.Serializer):
    review = serializers.CharField()
    role = serializers.CharField()


class MyInvitationList(APIView):
    @extend_schema(responses=MyInvitationOut(many=True), summary="Invitations waiting for my answer")
    def get(self, request: Request) -> Response:
        invitations = selectors.invitations_for_user(user=api_user(request))
        return Response(MyInvitationOut(invitations, many=True).data)


class MyInvitationAccept(APIView):
    @extend_schema(request=None, responses={201: JoinedOut}, summary="Accept an invitation: join the review")
    def post(self, request: Request, invitation_id: int) -> Response:
        membership = services.invitation_respond(user=api_user(request), invitation_id=invitation_id, accept=True)
        assert membership is not None
        body = {"review": membership.review.slug, "role": membership.role}
        return Response(JoinedOut(body).data, status=status.HTTP_201_CREATED)


class MyInvitationDecline(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Decline an invitation")
    def post(self, request: Request, invitation_id: int) -> Response:
        services.invitation_respond(user=api_user(request), invitation_id=invitation_id, accept=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewLeave(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Leave a review (not as its only lead)")
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        services.member_leave(review=access.review, user=api_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
