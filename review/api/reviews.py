"""REST API for reviews, members and API tokens. Same services and access function as the pages."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from review import extensions, selectors, services
from review.access import review_for_user
from review.api.authentication import ApiTokenAuthentication
from review.http import api_user
from review.models import ApiToken, DedupVersions, Invitation, Membership, Review, Role


class ReviewOut(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "slug",
            "title",
            "description",
            "inclusion_criteria",
            "exclusion_criteria",
            "dedup_versions",
            "created_at",
            "my_role",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        # Settings other apps keep for the review (votes required, blinding) are shown beside its own.
        return {**super().get_fields(), **extensions.review_settings_fields()}

    def to_representation(self, instance: Review) -> dict[str, Any]:
        # Those fields are not attributes of the review, so the loop above skips them; their values come here.
        return {**super().to_representation(instance), **extensions.review_settings(instance)}

    def get_my_role(self, review: Review) -> str | None:
        return getattr(review, "my_role", None) or self.context.get("role")


class ReviewIn(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    inclusion_criteria = serializers.CharField(required=False, allow_blank=True)
    exclusion_criteria = serializers.CharField(required=False, allow_blank=True)
    dedup_versions = serializers.ChoiceField(
        choices=DedupVersions.choices,
        required=False,
        help_text="A preprint and its journal version: 'possible' (ask a person), 'same' (merge), 'separate'",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), **extensions.review_settings_fields()}


class ReviewListCreate(GenericAPIView):
    serializer_class = ReviewOut

    def get_queryset(self) -> Any:
        return selectors.reviews_for_user(user=api_user(self.request))

    @extend_schema(responses=ReviewOut(many=True), summary="Reviews I am a member of")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReviewOut(page, many=True).data)

    @extend_schema(
        request=ReviewIn,
        responses={201: ReviewOut},
        summary="Create a review (you become its lead)",
        examples=[OpenApiExample("New review", value={"title": "Transfer learning in medical imaging"})],
    )
    def post(self, request: Request) -> Response:
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(by=api_user(request), **data.validated_data)
        return Response(ReviewOut(review, context={"role": Role.LEAD.value}).data, status=status.HTTP_201_CREATED)


class ReviewDetail(APIView):
    @extend_schema(responses=ReviewOut, summary="A review")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        return Response(ReviewOut(access.review, context={"role": access.role.value}).data)

    @extend_schema(request=ReviewIn(partial=True), responses=ReviewOut, summary="Change a review's settings (lead)")
    def patch(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        data = ReviewIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.review_update(review=access.review, by=api_user(request), **data.validated_data)
        return Response(ReviewOut(updated, context={"role": access.role.value}).data)


class MemberOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.SerializerMethodField(help_text="Your own address only; other members' are not disclosed")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "added_at"]

    def get_email(self, membership: Membership) -> str | None:
        viewer = self.context.get("viewer")
        return membership.user.email if viewer is not None and membership.user_id == viewer.pk else None


class MemberIn(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=254,
        help_text="An existing username or e-mail; a new e-mail address receives an invitation",
    )
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    invited = serializers.CharField(help_text="What you typed: the username or the e-mail address")
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()
    link = serializers.CharField(help_text="The invitation link, to send yourself if the e-mail does not arrive")


class RoleIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberListCreate(APIView):
    @extend_schema(responses=MemberOut(many=True), summary="Members of a review")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        members = selectors.review_members(review=access.review)
        return Response(MemberOut(members, many=True, context={"viewer": api_user(request)}).data)

    @extend_schema(
        request=MemberIn,
        responses={202: InvitationOut},
        summary="Invite an existing account or a new person by e-mail; they join when they accept (lead)",
        examples=[OpenApiExample("Add a reviewer", value={"identifier": "alice", "role": "reviewer"})],
    )
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        data = MemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = services.member_invite(
            review=access.review,
            by=api_user(request),
            identifier=data.validated_data["identifier"],
            role=Role(data.validated_data["role"]),
        )
        body = {
            "id": invitation.pk,
            "invited": invitation.invited_as,
            "role": invitation.role,
            "expires_at": invitation.expires_at,
            "link": services.invitation_link(invitation=invitation),
        }
        return Response(InvitationOut(body).data, status=status.HTTP_202_ACCEPTED)


class MemberDetail(APIView):
    @extend_schema(request=RoleIn, responses=MemberOut, summary="Change a member's role (lead)")
    def patch(self, request: Request, review: str, member_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        membership = get_object_or_404(Membership, pk=member_id, review=access.review)
        data = RoleIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.member_change_role(
            review=access.review,
            by=api_user(request),
            membership=membership,
            role=Role(data.validated_data["role"]),
        )
        return Response(MemberOut(membership, context={"viewer": api_user(request)}).data)

    @extend_schema(responses={204: None}, summary="Remove a member (lead)")
    def delete(self, request: Request, review: str, member_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        membership = get_object_or_404(Membership, pk=member_id, review=access.review)
        services.member_remove(review=access.review, by=api_user(request), membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenOut(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason"]


class TokenCreatedOut(TokenOut):
    key = serializers.CharField(help_text="Shown once; store it now")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "key"]


class TokenIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=services.API_TOKEN_MAX_DAYS,
        help_text="The token stops working after this many days; leave it out for a token that works until revoked",
    )


class TokenCreateThrottle(UserRateThrottle):
    scope = "token-create"
    rate = "20/hour"


class TokenListCreate(APIView):
    def get_throttles(self) -> list[Any]:
        return [TokenCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=TokenOut(many=True), summary="My API tokens")
    def get(self, request: Request) -> Response:
        return Response(TokenOut(selectors.user_api_tokens(user=api_user(request)), many=True).data)

    @extend_schema(
        request=TokenIn,
        responses={201: TokenCreatedOut},
        summary="Create an API token (from a logged-in session only, never with another token)",
    )
    def post(self, request: Request) -> Response:
        # A stolen token must not be able to mint others that outlive its revocation or expiry.
        if isinstance(request.successful_authenticator, ApiTokenAuthentication):
            raise PermissionDenied("Tokens are created from a logged-in session (the profile page), not with a token")
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=api_user(request),
            name=data.validated_data["name"],
            expires_in_days=data.validated_data.get("expires_in_days"),
        )
        body = TokenOut(token).data | {"key": key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    @extend_schema(responses={204: None}, summary="Revoke an API token; it fails at once")
    def delete(self, request: Request, token_id: int) -> Response:
        services.api_token_revoke(user=api_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationOutFull(serializers.ModelSerializer):
    email = serializers.CharField(help_text="The address the lead typed; empty for an account invited by username")
    username = serializers.SerializerMethodField(help_text="The invited account, when one was invited")
    link = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "username", "role", "created_at", "expires_at", "sent_at", "link"]

    def get_username(self, invitation: Invitation) -> str | None:
        return invitation.invitee.get_username() if invitation.invitee else None

    def get_link(self, invitation: Invitation) -> str | None:
        return services.invitation_link(invitation=invitation)


class InvitationList(APIView):
    @extend_schema(responses=InvitationOutFull(many=True), summary="Pending invitations of a review (lead)")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        pending = selectors.review_pending_invitations(review=access.review)
        return Response(InvitationOutFull(pending, many=True).data)


class InvitationRevoke(APIView):
    @extend_schema(responses={204: None}, summary="Withdraw a pending invitation (lead)")
    def delete(self, request: Request, review: str, invitation_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        invitation = get_object_or_404(Invitation, pk=invitation_id, review=access.review)
        services.invitation_revoke(review=access.review, by=api_user(request), invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)
