"""REST API of the target-group workbench: POST a draft quality standard (interfaces.md § 6, with
`target_groups`) and get what it would give — nothing is stored (`workbench.py`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fhb.eligibility import EligibilityError
from fhb.permissions import HasPerm
from fhb.registry.quality_standard import quality_standard_read
from fhb.registry.tables import ImportFileError

from .workbench import trial


class GroupFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    invitation = serializers.CharField()
    visits_per_year = serializers.IntegerField()
    citizens = serializers.IntegerField()
    primary = serializers.IntegerField(help_text="Citizens whose first group (in the standard's order) this is.")
    new = serializers.IntegerField(help_text="Not in any group the year before.")
    exempt = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Expected uptake for the group's invitation kind.")
    rate_source = serializers.ChoiceField(choices=["own", "national"])
    expected_visits = serializers.FloatField()


class TrialSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    compare_year = serializers.IntegerField()
    legal_basis = serializers.CharField()
    local = serializers.BooleanField(help_text="The municipality's own groups (else the statutory ones).")
    groups = GroupFiguresSerializer(many=True)
    reached = serializers.IntegerField()
    exempt = serializers.IntegerField()
    in_several = serializers.IntegerField()
    new = serializers.IntegerField()
    dropped = serializers.IntegerField()
    kept = serializers.IntegerField()
    reach = serializers.DictField(child=serializers.ListField(child=serializers.ListField()))
    expected_visits = serializers.FloatField()
    consultants = serializers.IntegerField()
    weekly_capacity = serializers.IntegerField()
    working_weeks = serializers.IntegerField()
    capacity_visits = serializers.IntegerField()
    capacity_share = serializers.FloatField(allow_null=True)


class TargetGroupTrialAPIView(APIView):
    """Try a draft of a year's target groups: the body is a quality standard as `import_quality_standard`
    reads it (interfaces.md §§ 6, 6 a) for your municipality. Answers citizens per group, overlaps,
    who is new and who drops out against the year before, whom the groups reach, the visits to
    expect and the capacity they need. Nothing is stored; a standard that would be refused is
    refused the same way (400)."""

    permission_classes = [HasPerm("invitations.plan_batches")]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: TrialSerializer})
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Send the quality standard as one JSON object."})
        try:
            draft = quality_standard_read(data=json.dumps(request.data), municipality=request.user.municipality)
        except ImportFileError as exc:
            raise ValidationError({"detail": str(exc).splitlines()[0], "problems": str(exc).splitlines()[1:]}) from None
        try:
            result = trial(request.user.municipality, year=draft.year, policy=draft.policy())
        except EligibilityError as exc:  # a year the rules do not cover
            raise ValidationError({"year": [str(exc)]}) from None
        data = {**asdict(result), "capacity_visits": result.capacity_visits, "capacity_share": result.capacity_share}
        return Response(TrialSerializer(data).data)
