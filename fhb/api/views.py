"""The REST API of the core domain (/api/v1/): citizens and risk events, scoped to the user's
municipality like every web page. Reads of one citizen are written to the access log."""

import json

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from fhb import cpr as cprlib
from fhb import due, selectors, services
from fhb.eligibility import EligibilityError
from fhb.filters import CitizenFilter
from fhb.intake import referral_outcome_text, referral_register, risk_event_add
from fhb.offers import default_as_of, offer_transition, offers_sync
from fhb.permissions import HasPerm
from fhb.registry.medcom import hospital_notifications_import
from fhb.registry.tables import ImportFileError

from .access import AccessLoggedMixin
from .params import year_param
from .serializers import (
    CitizenDetailSerializer,
    CitizenListSerializer,
    CprLookupSerializer,
    EligibilitySerializer,
    ImportResultSerializer,
    OfferSerializer,
    OfferSummarySerializer,
    OfferTransitionSerializer,
    ReferralResultSerializer,
    ReferralSerializer,
    RiskEventSerializer,
    RiskGroupSerializer,
    SyncSerializer,
)


class CprLookupThrottle(UserRateThrottle):
    scope = "cpr_lookup"


class CitizenViewSet(viewsets.ReadOnlyModelViewSet):
    """Citizens of your municipality. Filter with `name`, `age_min`, `age_max`, `postal_code`,
    `district`, `risk_group`, `include_inactive`. To find a citizen by CPR, POST to `lookup/`:
    CPR numbers never go in a URL."""

    filterset_class = CitizenFilter

    def get_queryset(self):
        queryset = selectors.citizens_visible_to(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("risk_events__risk_group")
        return queryset

    def get_serializer_class(self):
        return CitizenDetailSerializer if self.action in ("retrieve", "lookup") else CitizenListSerializer

    def list(self, request, *args, **kwargs):
        if cprlib.looks_like_cpr(request.query_params.get("name", "")):
            raise ValidationError({"name": ["CPR-numre må ikke stå i en URL. Brug POST /api/v1/citizens/lookup/."]})
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        citizen = self.get_object()
        services.citizen_access_log(
            user=request.user,
            citizens=citizen,
            endpoint="api:citizen-detail",
            purpose="API: stamdata og risikohændelser",
        )
        return Response(self.get_serializer(citizen).data)

    @extend_schema(request=CprLookupSerializer, responses=CitizenDetailSerializer)
    @action(detail=False, methods=["post"], throttle_classes=[CprLookupThrottle])
    def lookup(self, request):
        """Find one citizen by full CPR number (in the request body)."""
        form = CprLookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            number = cprlib.normalise(form.validated_data["cpr"])
        except cprlib.InvalidCpr as exc:
            raise ValidationError({"cpr": [str(exc)]}) from None
        citizen = self.get_queryset().prefetch_related("risk_events__risk_group").filter(cpr=number).first()
        if citizen is None:
            return Response(
                {"detail": "Ingen borger med det CPR-nummer i din kommune."}, status=status.HTTP_404_NOT_FOUND
            )
        services.citizen_access_log(
            user=request.user, citizens=citizen, endpoint="api:citizen-lookup", purpose="CPR-opslag (API)"
        )
        return Response(self.get_serializer(citizen).data)

    @extend_schema(request=ReferralSerializer, responses={201: ReferralResultSerializer})
    @action(detail=True, methods=["post"], permission_classes=[HasPerm("fhb.add_riskevents", "fhb.add_riskevent")])
    def referral(self, request, pk=None):
        """Intake: register a concern referral or self-referral. It becomes a risk event, and the
        citizen's offer for this year is created or refreshed at once."""
        citizen = self.get_object()
        form = ReferralSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        event, refresh = referral_register(citizen=citizen, user=request.user, **form.validated_data)
        result = {
            "risk_event": event.pk,
            "offer": refresh.offer.pk if refresh.offer else None,
            "offer_status": refresh.offer.status if refresh.offer else None,
            "groups": list(refresh.eligibility.groups) if refresh.eligibility else [],
            "message": referral_outcome_text(refresh),
        }
        return Response(ReferralResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EligibilitySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def eligibility(self, request, pk=None):
        """The citizen's target groups with reasons and their legal basis, for `year` (default: this
        year and next): § 79 a until 2025, from 2026 the municipality's own groups under Ældreloven § 4."""
        citizen = self.get_object()
        today = timezone.localdate()
        year = year_param(request)
        years = [year] if year else [today.year, today.year + 1]
        services.citizen_access_log(
            user=request.user, citizens=citizen, endpoint="api:citizen-eligibility", purpose="API: målgrupper"
        )
        out = []
        for y in years:
            result = selectors.citizen_eligibility(citizen, year=y, as_of=default_as_of(y, today))
            out.append(
                {
                    "year": y,
                    "groups": list(result.groups) if result else [],
                    "reasons": result.reasons if result else {},
                    "visits_required": result.visits_required if result else 0,
                    "exempt": bool(result and result.exempt),
                    "exemption_reason": result.exemption_reason if result else None,
                    "legal_basis": selectors.year_legal_basis(citizen.municipality_id, y),
                }
            )
        return Response(EligibilitySerializer(out, many=True).data)


class RiskEventViewSet(AccessLoggedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Risk events (the at-risk groups of the quality standard) of your municipality's citizens; POST
    registers a new one."""

    access_purpose = "API: risikohændelser"

    serializer_class = RiskEventSerializer
    filterset_fields = ["citizen", "source"]

    def get_queryset(self):
        return selectors.risk_events_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance, _ = risk_event_add(user=self.request.user, **serializer.validated_data)


class RiskGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Active risk groups: the built-in ones and your municipality's own."""

    serializer_class = RiskGroupSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.risk_groups_visible_to(self.request.user)


class OfferViewSet(AccessLoggedMixin, viewsets.ReadOnlyModelViewSet):
    """Offers per citizen and year (the due list). Filter with `year`, `group`, `status`,
    `letter_kind`, `postal_code`, `district`, `consultant`, `not_invited`."""

    access_purpose = "API: tilbud"

    serializer_class = OfferSerializer
    filterset_class = due.OfferFilter

    def get_queryset(self):
        queryset = due.offers_visible_to(self.request.user).select_related("citizen").order_by("birth_date", "id")
        year = year_param(self.request)
        if year:
            queryset = queryset.filter(year=year)
        return queryset

    @extend_schema(responses=OfferSummarySerializer)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Counts per target group and status, and the backlog by month of birthday."""
        queryset = self.filter_queryset(self.get_queryset())
        summary = due.offers_summary(queryset, labels=selectors.target_group_labels(self.request.user.municipality_id))
        statuses = [code for code, _label in summary["statuses"]]
        return Response(
            {
                "groups": {row["code"]: dict(zip(statuses, row["counts"], strict=True)) for row in summary["rows"]},
                "totals": dict(zip(statuses, summary["totals"], strict=True)),
                "citizens": summary["total"],
                "backlog_by_birth_month": due.backlog_by_birth_month(queryset),
            }
        )

    @extend_schema(request=SyncSerializer, responses=None)
    @action(detail=False, methods=["post"], permission_classes=[HasPerm("fhb.sync_offers")])
    def sync(self, request):
        """Compute the year's target groups again and bring the offers in line (team leaders)."""
        form = SyncSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            result = offers_sync(
                municipality=request.user.municipality, year=form.validated_data["year"], user=request.user
            )
        except EligibilityError as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        run = result.run
        return Response(
            {
                "eligible": run.eligible,
                "created": run.created,
                "updated": run.updated,
                "lapsed": run.lapsed,
                "as_of": run.as_of,
                "seconds": run.seconds,
            }
        )

    @extend_schema(request=OfferTransitionSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the offer to a new status (e.g. `declined` with a note)."""
        offer = self.get_object()
        form = OfferTransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        offer = offer_transition(offer=offer, user=request.user, **form.validated_data)
        return Response(OfferSerializer(offer).data)


class HospitalNotificationViewSet(viewsets.ViewSet):
    """MedCom hospital notifications (advis om sygehusophold, FHIR JSON) for your municipality's
    citizens: POST a message Bundle, an array of them or a collection Bundle. Discharges become
    `hospital_discharge` risk events (corrections move them, cancellations remove them). The answer
    counts what happened and lists rejected messages with the element and the reason."""

    permission_classes = [HasPerm("fhb.import_registry")]

    @extend_schema(request={"application/json": {"type": "object"}}, responses=ImportResultSerializer)
    def create(self, request):

        try:
            result = hospital_notifications_import(
                data=json.dumps(request.data), municipality=request.user.municipality, user=request.user
            )
        except ImportFileError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        body = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "errors": [{"row": e.row, "column": e.column, "value": e.value, "reason": e.reason} for e in result.errors],
        }
        return Response(ImportResultSerializer(body).data, status=status.HTTP_200_OK)
