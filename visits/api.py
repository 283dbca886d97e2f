"""Visits in the REST API (/api/v1/visits/): the same services and rules as the web form."""

from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from fhb import selectors, services
from fhb.models import Citizen

from .models import Visit, VisitKind, VisitOutcome, VisitSource
from .services import visit_record, visit_update
from .themes import THEMES
from .views import visits_visible_to


class VisitSerializer(serializers.ModelSerializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    themes = serializers.ListField(child=serializers.ChoiceField(choices=list(THEMES)), required=False)
    version = serializers.IntegerField(required=False, help_text="Påkrævet ved ændring: den version, du har hentet.")

    class Meta:
        model = Visit
        fields = [
            "id",
            "citizen",
            "kind",
            "outcome",
            "visit_date",
            "started_at",
            "duration_minutes",
            "themes",
            "note",
            "is_draft",
            "consultant",
            "consultant_name",
            "source",
            "version",
        ]
        read_only_fields = ["consultant", "consultant_name", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["citizen"].queryset = selectors.citizens_visible_to(request.user)
            if not request.user.has_perm("visits.view_note", getattr(self.instance, "citizen", None)):
                self.fields.pop("note")


class VisitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits and contacts of your municipality's citizens. Filter with `citizen`. POST records one
    (consultants and team leaders); PATCH with `version` edits one, and fails with a 400 if a
    colleague has saved a newer version (nothing is overwritten)."""

    serializer_class = VisitSerializer
    filterset_fields = ["citizen", "kind", "outcome", "is_draft"]

    def get_queryset(self):
        return visits_visible_to(self.request.user).order_by("-visit_date", "-id")

    def check_write(self):
        if not self.request.user.has_perm("visits.add_visit"):
            raise PermissionDenied("Kun konsulenter og teamledere kan registrere besøg.")

    def perform_create(self, serializer):
        self.check_write()
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = visit_record(user=self.request.user, **data)

    def update(self, request, *args, **kwargs):
        self.check_write()
        visit = self.get_object()
        if visit.source != VisitSource.RECORDED:
            raise ValidationError({"detail": "Besøg overført fra et tidligere system kan ikke rettes her."})
        serializer = self.get_serializer(visit, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("citizen", None)
        if "version" not in data:
            raise ValidationError({"version": ["Angiv den version, du har hentet."]})
        services.citizen_access_log(
            user=request.user, citizens=visit.citizen, endpoint="api:visit-update", purpose="API: besøg"
        )
        visit = visit_update(visit=visit, user=request.user, **data)
        return Response(self.get_serializer(visit).data)
