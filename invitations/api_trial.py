"""REST API of the target-group workbench: POST a draft quality standard (interfaces.md § 6, with
`target_groups`) and get what it would give — nothing is stored (`workbench.py`); keep a draft;
read a year's adopted standard, its versions and its draft; adopt one."""

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

from .selectors import drafts_visible_to, standard_versions_visible_to, standards_visible_to
from .services import target_group_draft_adopt, target_group_draft_discard, target_group_draft_save
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


def _standard_or_400(request, year: int):
    """The body as a quality standard for `year` of the user's municipality, read as the import
    reads it; a 400 naming every problem otherwise."""
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": "Send the quality standard as one JSON object."})
    try:
        draft = quality_standard_read(data=json.dumps(request.data), municipality=request.user.municipality)
    except ImportFileError as exc:
        raise ValidationError({"detail": str(exc).splitlines()[0], "problems": str(exc).splitlines()[1:]}) from None
    if draft.year != year:
        raise ValidationError({"year": [f"The standard is for {draft.year}, the address for {year}."]})
    return draft


def _who(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


class QualityStandardAPIView(APIView):
    """A year's quality standard of your municipality: GET the adopted standard (who and when), the
    saved draft and the adopted versions; PUT a standard (interfaces.md §§ 6, 6 a) to adopt it —
    refused whole like the import (400), the year's offers brought in line with it at once
    (untouched offers of citizens it no longer reaches are withdrawn). Adopting takes a team
    leader or the municipality's admin."""

    def get_permissions(self):
        return [HasPerm("fhb.adopt_standard" if self.request.method == "PUT" else "invitations.plan_batches")()]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, year: int):
        adopted = standards_visible_to(request.user).filter(year=year).select_related("adopted_by").first()
        draft = drafts_visible_to(request.user).filter(year=year).select_related("updated_by").first()
        versions = standard_versions_visible_to(request.user).filter(year=year).select_related("history_user")[:50]
        body = {"year": year, "adopted": None, "draft": None}
        if adopted is not None:
            who = _who(adopted.adopted_by)
            body["adopted"] = {"document": adopted.document, "adopted_at": adopted.adopted_at, "adopted_by": who}
        if draft is not None:
            body["draft"] = {
                "document": draft.document,
                "saved_at": draft.updated_at,
                "saved_by": _who(draft.updated_by),
            }
        body["versions"] = [
            {"at": v.history_date, "by": _who(v.history_user), "document": v.document} for v in versions
        ]
        return Response(body)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def put(self, request, year: int):
        _standard_or_400(request, year)
        synced = target_group_draft_adopt(
            municipality=request.user.municipality, text=json.dumps(request.data), year=year, user=request.user
        )
        run = synced.run
        return Response({"year": year, "eligible": run.eligible, "created": run.created, "withdrawn": synced.withdrawn})


class TargetGroupDraftAPIView(APIView):
    """The saved draft of a year's standard: PUT a standard to keep it (validated as the import
    validates; it does not apply until adopted), DELETE to discard it."""

    permission_classes = [HasPerm("invitations.plan_batches")]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def put(self, request, year: int):
        _standard_or_400(request, year)
        draft = target_group_draft_save(
            municipality=request.user.municipality, year=year, document=request.data, user=request.user
        )
        return Response({"year": year, "saved_at": draft.updated_at, "saved_by": _who(draft.updated_by)})

    @extend_schema(responses={204: None})
    def delete(self, request, year: int):
        target_group_draft_discard(municipality=request.user.municipality, year=year)
        return Response(status=204)
