"""REST API of the statistics: deliveries (run, follow, download), the months and their approval,
and the dashboard's figures. Every endpoint is scoped to the user's municipality."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fhb.api.params import YearField, this_year, year_param
from fhb.errors import DomainError
from fhb.law import FIRST_YEAR, LAST_YEAR
from fhb.permissions import HasPerm

from . import services
from .dashboards import dashboard
from .models import Delivery, MonthApproval
from .selectors import deliveries_visible_to
from .targeting import targeting

FILE_KINDS = ("csv", "summary", "pdf")


class DeliverySerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField(allow_null=True)
    progress_percent = serializers.IntegerField(read_only=True)
    quality = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "year",
            "status",
            "source",
            "requested_by",
            "created_at",
            "finished_at",
            "rows_done",
            "rows_total",
            "progress_percent",
            "checksum",
            "visits",
            "citizens",
            "excluded",
            "quality_passed",
            "quality",
            "previous",
            "rows_added",
            "rows_removed",
            "message",
        ]
        read_only_fields = fields

    def get_quality(self, obj) -> dict | None:
        return obj.summary["quality"] if obj.summary else None


class DeliveryCreateSerializer(serializers.Serializer):
    year = YearField()

    def validate_year(self, value):
        try:
            services.delivery_year_check(value)
        except DomainError as exc:
            raise serializers.ValidationError(exc.message) from None
        return value


class DeliveryFilter(filters.FilterSet):
    year = filters.NumberFilter(min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Delivery
        fields = ["year", "status"]


class DeliveryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """DST deliveries. POST {"year"} runs one in the background (202; follow `progress_percent`);
    GET {id}/files/{csv|summary|pdf}/ downloads a finished delivery's files (the CSV, which holds
    CPR numbers, for the reporting user only). A finished delivery never changes."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_permissions(self):
        perm = "reports.deliver" if self.action == "create" else "reports.view_statistics"
        return [HasPerm(perm)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return deliveries_visible_to(self.request.user).select_related("requested_by")

    @extend_schema(request=DeliveryCreateSerializer, responses={202: DeliverySerializer})
    def create(self, request, *args, **kwargs):
        form = DeliveryCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        delivery = services.delivery_create(
            municipality=request.user.municipality,
            year=form.validated_data["year"],
            user=request.user,
            source=Delivery.Source.API,
        )
        delivery.refresh_from_db()
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(FILE_KINDS))],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<kind>[a-z]+)")
    def files(self, request, pk=None, kind=None):
        delivery = self.get_object()
        if kind not in FILE_KINDS or (kind == "csv" and not request.user.has_perm("reports.deliver")):
            raise NotFound
        try:
            content, name, content_type = services.delivery_file(
                delivery, kind, user=request.user, endpoint=request.path
            )
        except services.DeliveryError as exc:
            raise ValidationError({"status": str(exc)}) from None
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    persons = serializers.IntegerField()
    visits = serializers.IntegerField()
    change = serializers.FloatField(allow_null=True)
    too_few = serializers.BooleanField()
    large_change = serializers.BooleanField()
    over = serializers.BooleanField()
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(allow_null=True)


class MonthApproveSerializer(serializers.Serializer):
    year = YearField()
    month = serializers.IntegerField(min_value=1, max_value=12)


YEAR_PARAM = OpenApiParameter("year", int, description="default: this year")


def _year(request) -> int:
    return year_param(request, default=this_year())


class MonthViewSet(viewsets.ViewSet):
    """The year month by month: citizens and visits as a delivery would count them, the checks,
    and which months are approved. POST approve/ {"year", "month"} approves a finished month;
    POST unapprove/ undoes that while no delivery of the year has counted it."""

    def get_permissions(self):
        perm = "reports.deliver" if self.action in ("approve", "unapprove") else "reports.view_statistics"
        return [HasPerm(perm)()]

    @extend_schema(parameters=[YEAR_PARAM], responses=MonthSerializer(many=True))
    def list(self, request):
        overview = services.month_overview(request.user.municipality, _year(request))
        rows = [
            {
                **{k: m[k] for k in ("month", "persons", "visits", "change", "too_few", "large_change", "over")},
                "approved_at": m["approval"].approved_at if m["approval"] else None,
                "approved_by": str(m["approval"].approved_by) if m["approval"] else None,
            }
            for m in overview["months"]
        ]
        return Response(MonthSerializer(rows, many=True).data)

    @extend_schema(request=MonthApproveSerializer, responses={201: MonthApproveSerializer})
    @action(detail=False, methods=["post"])
    def approve(self, request):
        form = MonthApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            approval: MonthApproval = services.month_approve(
                municipality=request.user.municipality, user=request.user, **form.validated_data
            )
        except services.DeliveryError as exc:
            raise ValidationError({"month": str(exc)}) from None
        return Response({"year": approval.year, "month": approval.month}, status=status.HTTP_201_CREATED)

    @extend_schema(request=MonthApproveSerializer, responses={200: MonthApproveSerializer})
    @action(detail=False, methods=["post"])
    def unapprove(self, request):
        form = MonthApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.month_unapprove(municipality=request.user.municipality, user=request.user, **form.validated_data)
        except services.DeliveryError as exc:
            raise ValidationError({"month": str(exc)}) from None
        return Response(form.validated_data)


class DashboardAPIView(APIView):
    """The dashboard's figures for a year: backlog by target group and status, uptake by letter
    kind, visits per month this year and last, consultants' booked load for 8 weeks, and the
    delivery's uptake per age-determined group."""

    permission_classes = [HasPerm("reports.view_statistics")]

    @extend_schema(parameters=[YEAR_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        context = dashboard(request.user.municipality, _year(request))
        load = context["load"]
        return Response(
            {
                "year": context["year"],
                "visits": context["summary"]["visits"],
                "citizens": context["summary"]["citizens"],
                "backlog": {
                    "statuses": [str(s) for s in ("due", "invited", "booked", "visited", "declined", "no_response")],
                    "rows": [{"group": r["code"], "counts": r["counts"]} for r in context["backlog"]],
                },
                "uptake_by_letter_kind": [
                    {
                        "group": r["code"],
                        "date_letter": r["kinds"][0],
                        "open_letter": r["kinds"][1],
                        "collective_event": r["kinds"][2],
                    }
                    for r in context["letters"]
                ],
                "visits_by_month": context["months"],
                "uptake": context["uptake"],
                "consultant_load": {
                    "weeks": [w.isoformat() for w in load["weeks"]],
                    "rows": load["rows"],
                    "totals": load["totals"],
                    "capacity": load["capacity_totals"],
                    "closed_days": {d.isoformat(): name for d, name in load["closed"].items()},
                },
            }
        )


class TargetingAPIView(APIView):
    """How the targeting works: per target group, the year and the year before — in the group,
    invited, visited, declined, no response, uptake (visited / invited) and by letter kind,
    follow-ups and referrals, and home help received within 12 months of the visit."""

    permission_classes = [HasPerm("reports.view_statistics")]

    @extend_schema(parameters=[YEAR_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        report = targeting(request.user.municipality, _year(request), timezone.localdate())
        return Response(
            {
                "year": report["year"],
                "compare_year": report["compare_year"],
                "legal_basis": report["legal_basis"],
                "compare_legal_basis": report["compare_legal_basis"],
                "groups": [
                    {
                        "group": row["code"],
                        "label": row["label"],
                        "in_year": row["in_year"],
                        "years": {
                            str(report["year"]): row["years"][0].as_dict(),
                            str(report["compare_year"]): row["years"][1].as_dict(),
                        },
                    }
                    for row in report["rows"]
                ],
            }
        )
