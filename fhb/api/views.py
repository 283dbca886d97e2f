"""The REST API of the core domain (/api/v1/): citizens and risk events, scoped to the user's
municipality like every web page. Reads of one citizen are written to the access log."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from fhb import cpr as cprlib
from fhb import selectors, services

from .serializers import (
    CitizenDetailSerializer,
    CitizenListSerializer,
    CprLookupSerializer,
    RiskEventSerializer,
    RiskGroupSerializer,
)


class CprLookupThrottle(UserRateThrottle):
    scope = "cpr_lookup"


class CitizenViewSet(viewsets.ReadOnlyModelViewSet):
    """Citizens of your municipality. Filter with `name`, `age_min`, `age_max`, `postal_code`,
    `district`, `risk_group`, `include_inactive`. To find a citizen by CPR, POST to `lookup/`:
    CPR numbers never go in a URL."""

    filterset_class = selectors.CitizenFilter

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
        services.citizen_access_log(user=request.user, citizens=citizen, endpoint="api:citizen-detail", purpose="API")
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


class RiskEventViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Risk events (§ 79 a stk. 4) of your municipality's citizens; POST registers a new one."""

    serializer_class = RiskEventSerializer
    filterset_fields = ["citizen", "source"]

    def get_queryset(self):
        return selectors.risk_events_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.risk_event_register(user=self.request.user, **serializer.validated_data)


class RiskGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Active risk groups: the built-in ones and your municipality's own."""

    serializer_class = RiskGroupSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.risk_groups_visible_to(self.request.user)
