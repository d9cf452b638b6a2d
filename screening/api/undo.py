"""Screening API: undo my last vote at a stage (the screening screen's U key)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.http import api_user
from review.models import Role
from screening.api.common import ScreeningRecordVotesOut, access_for, record_state, stage_from
from screening.services.votes import vote_undo_last


class UndoLastVote(APIView):
    @extend_schema(
        request=None,
        responses=ScreeningRecordVotesOut,
        summary="Withdraw my most recent vote at a stage and get its record back to vote again",
    )
    def post(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        record = vote_undo_last(review=access.review, stage=stage_value, reviewer=api_user(request))
        return Response(record_state(request, access, record, stage_value))
