"""The API of a mentoring pair's work (under /api/v1/): goals, visits, the outcome, and the figures.

The same services as the pages; the pair is looked up in `MentoringPair.visible_to(user)`, so a pair
outside the caller's area is a 404; inside it, a role that may not write gets a 403 (the policies in
accounts/policies.py: `records_visits_of`, `steers_pair`), a closed pair a 409. Token scopes: the
`institutions` area (mentoring pairs are part of the registry's API).
"""

from __future__ import annotations

import datetime
import re

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from institutions.models import MentoringPair
from portal.api.schema import CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated

from . import selectors, services
from .models import Goal, Outcome, Visit
from .serializers import (
    FiguresSerializer,
    GoalMarkSerializer,
    GoalSerializer,
    GoalWriteSerializer,
    OutcomeSerializer,
    OutcomeWriteSerializer,
    VisitSerializer,
    VisitWriteSerializer,
)

TAGS = ["mentoring"]
STATE_WRITE_ERRORS = {**WRITE_ERRORS, 409: CONFLICT}


def _pair(request, pk) -> MentoringPair:
    return get_object_or_404(MentoringPair.objects.visible_to(request.user).select_related("mentor", "mentee"),
                             pk=pk)


class _MentoringView:
    api_area = "institutions"


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: GoalSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=GoalWriteSerializer, responses={201: GoalSerializer, **STATE_WRITE_ERRORS}),
)
class GoalListView(_MentoringView, generics.ListCreateAPIView):
    """The pair's goals; POST sets one (the officials of the city or province holding both institutions)."""

    serializer_class = GoalSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Goal.objects.none()
        return _pair(self.request, self.kwargs["pk"]).goals.order_by("pk")

    def create(self, request, *args, **kwargs):
        pair = _pair(request, kwargs["pk"])
        require(policies.steers_pair(request.user, pair))
        goal = services.goal_add(pair=pair, actor=request.user, **validated(GoalWriteSerializer, request))
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=GoalMarkSerializer, responses={200: GoalSerializer, **STATE_WRITE_ERRORS})
class GoalMarkView(_MentoringView, APIView):
    """Marks a goal of an active pair reached or not (the officials steering the pair); 409 once the pair has
    ended."""

    def patch(self, request, pk, goal_pk):
        pair = _pair(request, pk)
        goal = get_object_or_404(Goal.objects.filter(pair=pair), pk=goal_pk)
        require(policies.steers_pair(request.user, pair))
        body = validated(GoalMarkSerializer, request, partial=True)
        if "reached" in body:  # a PATCH without `reached` changes nothing
            goal = services.goal_mark(goal=goal, actor=request.user, reached=body["reached"])
        return Response(GoalSerializer(goal).data)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: VisitSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=VisitWriteSerializer,
                       responses={201: VisitSerializer, **STATE_WRITE_ERRORS}),
)
class VisitListView(_MentoringView, generics.ListCreateAPIView):
    """The pair's visits, newest first; POST records one (the mentor institution's staff)."""

    serializer_class = VisitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        return _pair(self.request, self.kwargs["pk"]).visits.order_by("-visited_on", "-pk")

    def create(self, request, *args, **kwargs):
        pair = _pair(request, kwargs["pk"])
        require(policies.records_visits_of(request.user, pair))
        visit = services.visit_record(pair=pair, actor=request.user, **validated(VisitWriteSerializer, request))
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: OutcomeSerializer, **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=OutcomeWriteSerializer,
                       responses={201: OutcomeSerializer, **STATE_WRITE_ERRORS}),
)
class OutcomeView(_MentoringView, APIView):
    """The outcome of an ended pair (404 while it is active); POST closes the pair with its outcome (the
    officials steering it; 409 once it has ended)."""

    def get(self, request, pk):
        pair = _pair(request, pk)
        outcome = get_object_or_404(Outcome.objects.select_related("pair").prefetch_related("pair__goals"),
                                    pair=pair)
        return Response(OutcomeSerializer(outcome).data)

    def post(self, request, pk):
        pair = _pair(request, pk)
        require(policies.steers_pair(request.user, pair))
        body = validated(OutcomeWriteSerializer, request)
        goals = body.pop("reached_goals", None)
        if goals is not None and set(goals) - set(pair.goals.values_list("pk", flat=True)):
            raise serializers.ValidationError({"reached_goals": ["Ids of this pair's goals only."]})
        outcome = services.pair_close(pair=pair, actor=request.user, reached_goals=goals, **body)
        outcome = Outcome.objects.select_related("pair").prefetch_related("pair__goals").get(pk=outcome.pk)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, parameters=[
    OpenApiParameter("region", OpenApiTypes.STR, pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9})$",
                     description="The area (default: the caller's own; administrators: 13)"),
    OpenApiParameter("on", OpenApiTypes.DATE, description="The day (default today)")],
    responses={200: FiguresSerializer, **{**READ_ERRORS, 400: WRITE_ERRORS[400]}})
class FiguresView(_MentoringView, APIView):
    """Mentoring pairs (active, ended by outcome) and 医育结合 institutions (count and share of the filed
    ones) of each region of the area, and the area's total: officials of the area and administrators."""

    api_area = "metrics"

    def get(self, request):
        user = request.user
        require(policies.is_official_or_admin(user))
        code = request.query_params.get("region", "13" if policies.is_admin(user) else user.region_id)
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{9}", code):
            raise serializers.ValidationError({"region": ["A division code of 2, 4, 6 or 9 digits."]})
        require(policies.in_area(user, code), outside_area=True)
        raw = request.query_params.get("on")
        try:
            on = datetime.date.fromisoformat(raw) if raw is not None else timezone.localdate()
        except ValueError as exc:
            raise serializers.ValidationError({"on": ["Use a date such as 2026-01-01."]}) from exc
        figures = selectors.region_figures(area_code=code, on=on)
        return Response(FiguresSerializer({"region": code, "on": on, "regions": figures["rows"],
                                           "total": figures["total"]}).data)
