from __future__ import annotations

from rest_framework import serializers

from portal.api.serializers import StrictIntegerField

from .models import Goal, Outcome, Visit

MAX_ID = 2**31 - 1


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "pair", "text", "reached", "created_at"]
        read_only_fields = fields


class GoalWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300, help_text="What the mentee should reach.")


class GoalMarkSerializer(serializers.Serializer):
    reached = serializers.BooleanField(help_text="Whether the goal was reached.")


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "pair", "visited_on", "visitors", "notes", "changes", "recorded_by", "created_at"]
        read_only_fields = fields


class VisitWriteSerializer(serializers.Serializer):
    visited_on = serializers.DateField(help_text="From the pair's start to today.")
    visitors = serializers.CharField(max_length=200, help_text="Names and roles of the mentor's staff who went.")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    changes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="",
                                    help_text="What changed at the mentee since the last visit.")


class OutcomeSerializer(serializers.ModelSerializer):
    ended_on = serializers.DateField(source="pair.ended_on", read_only=True)
    goals_reached = serializers.SerializerMethodField(help_text="Ids of the pair's goals marked reached.")

    class Meta:
        model = Outcome
        fields = ["pair", "ended_on", "result", "summary", "goals_reached", "closed_by", "created_at"]
        read_only_fields = fields

    def get_goals_reached(self, outcome) -> list[int]:
        return sorted(g.pk for g in outcome.pair.goals.all() if g.reached)


class OutcomeWriteSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="From the pair's start (or its last visit) to today.")
    result = serializers.ChoiceField(choices=Outcome.Result.choices)
    summary = serializers.CharField(max_length=4000)
    reached_goals = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=MAX_ID),
                                         required=False, max_length=50,
                                         help_text="Ids of the pair's goals reached; the others are marked not "
                                                   "reached. Leave out to keep the goals as marked.")


class FiguresRowSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True, help_text="The region's division code (null for the total).")
    name = serializers.CharField(allow_null=True)
    filed = serializers.IntegerField(help_text="Institutions filed on the day (not cancelled).")
    medical = serializers.IntegerField(help_text="Of them, 医育结合 (medical-care integration).")
    medical_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True,
                                             help_text="Per cent of the filed institutions.")
    active = serializers.IntegerField(help_text="Mentoring pairs active on the day (counted at the mentee).")
    ended = serializers.IntegerField(help_text="Pairs ended by the day.")
    improved = serializers.IntegerField()
    partly = serializers.IntegerField()
    not_improved = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    region = serializers.CharField()
    on = serializers.DateField()
    regions = FiguresRowSerializer(many=True)
    total = FiguresRowSerializer()
