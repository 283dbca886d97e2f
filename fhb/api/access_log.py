"""The access log through the API, for the municipality's admin (`fhb.view_citizenaccesses`), as on
the page /opslagslog/: GET access-log/?start=&end=[&employee=][&citizen=] lists the look-ups of the
municipality's citizens in the period (one row per citizen shown, newest first; `citizen` answers a
citizen's art. 15 request), GET access-log/employees/?start=&end= counts them per employee with
unusual volumes flagged. Reading the log is itself logged: the rows name citizens."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from fhb import selectors
from fhb.models import Citizen, CitizenAccess, User
from fhb.permissions import HasPerm
from fhb.services import citizen_access_log


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Første dag (standard: 30 dage før i dag).")
    end = serializers.DateField(required=False, help_text="Sidste dag (standard: i dag).")
    employee = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False)
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none(), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = selectors.staff_visible_to(user)
        self.fields["citizen"].queryset = selectors.citizens_visible_to(user)

    def validate(self, data):
        today = timezone.localdate()
        data.setdefault("end", today)
        data.setdefault("start", data["end"] - dt.timedelta(days=30))
        error = selectors.access_period_error(data["start"], data["end"])
        if error:
            raise serializers.ValidationError({"end": [error]})
        return data


class AccessRowSerializer(serializers.Serializer):
    lookup = serializers.IntegerField(source="lookup_id")
    accessed_at = serializers.DateTimeField(source="lookup.accessed_at")
    employee = serializers.IntegerField(source="lookup.user_id")
    employee_name = serializers.CharField(source="lookup.user.get_full_name")
    endpoint = serializers.CharField(source="lookup.endpoint")
    endpoint_label = serializers.CharField(source="lookup.endpoint_label")
    purpose = serializers.CharField(source="lookup.purpose")
    citizens_in_lookup = serializers.IntegerField(source="lookup.citizen_count")
    citizen = serializers.IntegerField(source="citizen_id")
    citizen_name = serializers.CharField(source="citizen.full_name")
    cpr_masked = serializers.CharField(source="citizen.cpr_masked")


class EmployeeSummarySerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    lookups = serializers.IntegerField(help_text="Opslag (forespørgsler).")
    citizens = serializers.IntegerField(help_text="Forskellige borgere.")
    first = serializers.DateTimeField()
    last = serializers.DateTimeField()
    unusual = serializers.BooleanField()


PERIOD_PARAMS = [
    OpenApiParameter("start", dt.date, description="Første dag (standard: 30 dage før i dag)."),
    OpenApiParameter("end", dt.date, description="Sidste dag (standard: i dag)."),
    OpenApiParameter("employee", int, description="Kun denne medarbejders opslag."),
    OpenApiParameter("citizen", int, description="Kun opslag af denne borger (indsigt efter art. 15)."),
]


class AccessLogViewSet(viewsets.GenericViewSet):
    """Who looked up which of the municipality's citizens, when and why."""

    permission_classes = [HasPerm("fhb.view_citizenaccesses")]
    serializer_class = AccessRowSerializer

    def _rows(self, request):
        period = PeriodSerializer(data=request.query_params, user=request.user)
        period.is_valid(raise_exception=True)
        data = period.validated_data
        rows = selectors.accesses_in_period(
            user=request.user, start=data["start"], end=data["end"], employee=data.get("employee")
        )
        if data.get("citizen") is not None:
            rows = rows.filter(citizen=data["citizen"])
        return rows

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CitizenAccess.objects.none()
        return self._rows(self.request).select_related("citizen", "lookup__user").order_by("-lookup_id", "-id")

    @extend_schema(parameters=PERIOD_PARAMS, responses=AccessRowSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        citizen_access_log(
            user=request.user,
            citizens=[row.citizen for row in page],
            endpoint=request.path,
            purpose="API: kontrol af opslagslog",
        )
        return self.get_paginated_response(AccessRowSerializer(page, many=True).data)

    @extend_schema(parameters=PERIOD_PARAMS[:2], responses=EmployeeSummarySerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def employees(self, request):
        summary = selectors.accesses_by_employee(self._rows(request))
        return Response(EmployeeSummarySerializer(summary, many=True).data)
