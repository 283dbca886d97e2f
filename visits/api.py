"""The visits app in the REST API (/api/v1/): visits with screenings and follow-ups, follow-ups,
bookings, collective events and their registrations. The same services and rules as the pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from fhb import selectors, services
from fhb.api.access import AccessLoggedMixin
from fhb.models import Citizen, User
from fhb.permissions import HasPerm
from fhb.selectors import target_group_labels

from . import events as event_services
from .bookings import booking_cancel, booking_create, booking_restore
from .models import (
    Booking,
    BookingStatus,
    CancelReason,
    CollectiveEvent,
    EventRegistration,
    FollowUp,
    FollowUpKind,
    MunicipalUnit,
    RegistrationStatus,
    Visit,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from .screenings import SCREENINGS
from .selectors import (
    bookable_consultants,
    bookings_visible_to,
    consultants_of,
    events_visible_to,
    follow_ups_visible_to,
    registrations_visible_to,
    visits_visible_to,
)
from .services import follow_up_close, follow_up_create, follow_up_reopen, visit_record, visit_update
from .themes import THEMES


class ScreeningSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(SCREENINGS))
    values = serializers.DictField(child=serializers.FloatField())
    level = serializers.CharField(read_only=True)
    finding = serializers.CharField(read_only=True)


class FollowUpInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    unit = serializers.ChoiceField(choices=MunicipalUnit.choices, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    consent_given = serializers.BooleanField(required=False, default=False)
    consent_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class FollowUpSerializer(serializers.ModelSerializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False, allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "citizen",
            "visit",
            "kind",
            "unit",
            "description",
            "due_on",
            "consent_given",
            "consent_to",
            "status",
            "done_on",
            "outcome",
            "closed_at",
            "assigned_to",
            "created_at",
        ]
        read_only_fields = ["visit", "status", "done_on", "outcome", "closed_at", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["citizen"].queryset = selectors.citizens_visible_to(request.user)
            self.fields["assigned_to"].queryset = consultants_of(request.user)


class VisitSerializer(serializers.ModelSerializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    themes = serializers.ListField(child=serializers.ChoiceField(choices=list(THEMES)), required=False)
    screenings = ScreeningSerializer(many=True, required=False, help_text="Sundhedsdata: kun med adgang til notater.")
    follow_ups = FollowUpInputSerializer(many=True, required=False, write_only=True)
    booking = serializers.PrimaryKeyRelatedField(
        queryset=Booking.objects.none(), required=False, write_only=True, help_text="Bookingen besøget opfylder."
    )
    follow_up = serializers.PrimaryKeyRelatedField(
        queryset=FollowUp.objects.none(), required=False, write_only=True, help_text="Opfølgningen besøget opfylder."
    )
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Påkrævet ved ændring: den version, du har hentet."
    )

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
            "screenings",
            "follow_ups",
            "booking",
            "follow_up",
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
            self.fields["booking"].queryset = bookings_visible_to(request.user).filter(status=BookingStatus.BOOKED)
            self.fields["follow_up"].queryset = follow_ups_visible_to(request.user).filter(status=FollowUp.Status.OPEN)
            citizen = getattr(self.instance, "citizen", None)
            if not (
                request.user.has_perm("visits.view_note", citizen)
                if citizen is not None
                else request.user.has_perm("visits.view_notes")  # a list or a new visit: rows come scoped
            ):
                self.fields.pop("note")
                self.fields.pop("screenings")


def _screenings_in(data: dict) -> dict | None:
    if "screenings" not in data:
        return None
    return {s["kind"]: s["values"] for s in data.pop("screenings")}


class VisitViewSet(AccessLoggedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits and contacts of your municipality's citizens. Filter with `citizen`. POST records one
    (consultants and team leaders) with its screenings and agreed follow-ups, all or nothing; PATCH
    with `version` edits one and fails with a 400 if a colleague has saved a newer version."""

    access_purpose = "API: besøg med noter og screeninger"

    serializer_class = VisitSerializer
    filterset_fields = ["citizen", "kind", "outcome", "is_draft"]

    def get_queryset(self):
        return visits_visible_to(self.request.user).prefetch_related("screenings").order_by("-visit_date", "-id")

    def check_write(self):
        if not self.request.user.has_perm("visits.add_visit"):
            raise PermissionDenied("Kun konsulenter og teamledere kan registrere besøg.")

    def perform_create(self, serializer):
        self.check_write()
        data = dict(serializer.validated_data)
        data.pop("version", None)
        screenings = _screenings_in(data)
        serializer.instance = visit_record(user=self.request.user, screenings=screenings, **data)

    def update(self, request, *args, **kwargs):
        self.check_write()
        visit = self.get_object()
        if visit.source != VisitSource.RECORDED:
            raise ValidationError({"detail": "Besøg overført fra et tidligere system kan ikke rettes her."})
        serializer = self.get_serializer(visit, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for key in ("citizen", "booking", "follow_up"):
            data.pop(key, None)
        if "version" not in data:
            raise ValidationError({"version": ["Angiv den version, du har hentet."]})
        services.citizen_access_log(
            user=request.user, citizens=visit.citizen, endpoint="api:visit-update", purpose="API: besøg"
        )
        visit = visit_update(visit=visit, user=request.user, screenings=_screenings_in(data), **data)
        return Response(self.get_serializer(visit).data)


class FollowUpCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[FollowUp.Status.DONE, FollowUp.Status.CANCELLED], default=FollowUp.Status.DONE
    )
    outcome = serializers.CharField(max_length=300, help_text="What came of it: required.")


class FollowUpViewSet(AccessLoggedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Follow-ups: referrals, hand-overs (with consent) and new visits or contacts by a date.
    Filter with `citizen`, `status`, `assigned_to`, `kind`. POST adds one outside a visit;
    POST {id}/close/ marks it done or cancelled with its outcome; POST {id}/reopen/ undoes that."""

    access_purpose = "API: opfølgninger"

    serializer_class = FollowUpSerializer
    filterset_fields = ["citizen", "status", "assigned_to", "kind"]
    permission_classes = [HasPerm("visits.add_visit")]

    def get_queryset(self):
        return follow_ups_visible_to(self.request.user).select_related("citizen").order_by("due_on", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = follow_up_create(
            citizen=data["citizen"], user=self.request.user, data=data, after=timezone.localdate()
        )

    @extend_schema(request=FollowUpCloseSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        form = FollowUpCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        follow_up = follow_up_close(follow_up=self.get_object(), user=request.user, **form.validated_data)
        return Response(self.get_serializer(follow_up).data)

    @extend_schema(request=None, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Undo closing it by hand, within FHB_UNDO_MINUTES."""
        follow_up = follow_up_reopen(follow_up=self.get_object(), user=request.user)
        return Response(self.get_serializer(follow_up).data)


class BookingSerializer(serializers.ModelSerializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())
    consultant = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())

    class Meta:
        model = Booking
        fields = [
            "id",
            "citizen",
            "consultant",
            "kind",
            "starts_at",
            "duration_minutes",
            "status",
            "note",
            "offer",
            "visit",
            "cancel_reason",
            "cancelled_at",
        ]
        extra_kwargs = {"cancel_reason": {"allow_blank": True}}
        read_only_fields = ["status", "offer", "visit", "cancel_reason", "cancelled_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["citizen"].queryset = selectors.citizens_visible_to(request.user)
            self.fields["consultant"].queryset = bookable_consultants(request.user)


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Required when reason is `other`."
    )


class BookingViewSet(AccessLoggedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Booked visits: a consultant's calendar. Filter with `consultant`, `citizen`, `status`, and
    `date` (one day) or `from`/`to` (the agenda). POST books (refused if it overlaps the
    consultant's other bookings); POST {id}/cancel/ cancels (with a reason) and moves the offer
    back; POST {id}/restore/ undoes it."""

    access_purpose = "API: bookinger"

    serializer_class = BookingSerializer
    filterset_fields = ["consultant", "citizen", "status"]
    permission_classes = [HasPerm("visits.add_visit")]

    def get_queryset(self):
        rows = bookings_visible_to(self.request.user).select_related("citizen").order_by("starts_at", "id")
        params = self.request.query_params
        try:
            if params.get("date"):
                day = dt.date.fromisoformat(params["date"])
                rows = rows.filter(starts_at__date=day)
            if params.get("from"):
                rows = rows.filter(starts_at__date__gte=dt.date.fromisoformat(params["from"]))
            if params.get("to"):
                rows = rows.filter(starts_at__date__lte=dt.date.fromisoformat(params["to"]))
        except ValueError:
            raise ValidationError({"date": ["Brug formatet ÅÅÅÅ-MM-DD."]}) from None
        return rows

    @extend_schema(
        parameters=[
            OpenApiParameter("date", str, description="ÅÅÅÅ-MM-DD"),
            OpenApiParameter("from", str, description="ÅÅÅÅ-MM-DD"),
            OpenApiParameter("to", str, description="ÅÅÅÅ-MM-DD"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = booking_create(user=self.request.user, **serializer.validated_data)

    @extend_schema(request=BookingCancelSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        form = BookingCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = booking_cancel(booking=self.get_object(), user=request.user, **form.validated_data)
        return Response(self.get_serializer(booking).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Undo a cancellation within FHB_UNDO_MINUTES, if the time is still free."""
        booking = booking_restore(booking=self.get_object(), user=request.user)
        return Response(self.get_serializer(booking).data)


class EventSerializer(serializers.ModelSerializer):
    target_groups = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Target-group codes: the statutory ones, or the municipality's own (from 2026).",
    )
    counts = serializers.SerializerMethodField()

    class Meta:
        model = CollectiveEvent
        fields = ["id", *event_services.EVENT_FIELDS, "cancelled", "counts"]
        read_only_fields = ["cancelled"]

    def get_counts(self, event) -> dict[str, int]:
        return event_services.event_counts(event)


class EventInviteSerializer(serializers.Serializer):
    groups = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Target-group codes: the statutory ones, or the municipality's own (from 2026).",
    )

    def validate_groups(self, groups: list[str]) -> list[str]:
        known = target_group_labels(self.context["request"].user.municipality_id)
        unknown = [g for g in groups if g not in known]
        if unknown:
            raise serializers.ValidationError(f"Ukendte målgrupper: {', '.join(unknown)}.")
        return groups

    limit = serializers.IntegerField(required=False, min_value=1, max_value=100_000, allow_null=True, default=None)


class EventAddSerializer(serializers.Serializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["citizen"].queryset = selectors.citizens_visible_to(request.user)


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventRegistration
        fields = [
            "id",
            "event",
            "citizen",
            "status",
            "invited_at",
            "responded_at",
            "checked_in_at",
            "decline_reason",
            "visit",
        ]
        read_only_fields = fields


class EventViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Collective events. POST creates; PATCH changes; POST {id}/invite/ puts the target groups'
    not-yet-invited citizens on the list (their offers become invited); POST {id}/add/ adds one
    citizen (a phone call, a walk-in); POST {id}/cancel/ cancels it."""

    serializer_class = EventSerializer
    filterset_fields = ["date", "cancelled"]

    def get_permissions(self):
        perm = "visits.view_events" if self.action in ("list", "retrieve") else "visits.manage_events"
        return [HasPerm(perm)()]

    def get_queryset(self):
        return events_visible_to(self.request.user).order_by("date", "starts_at")

    def perform_create(self, serializer):
        serializer.instance = event_services.event_save(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        event = serializer.instance
        values = {f: getattr(event, f) for f in event_services.EVENT_FIELDS} | dict(serializer.validated_data)
        serializer.instance = event_services.event_save(user=self.request.user, event=event, **values)

    @extend_schema(request=EventInviteSerializer, responses={200: {"type": "object"}})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        form = EventInviteSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        n = event_services.event_invite(event=self.get_object(), user=request.user, **form.validated_data)
        return Response({"invited": n})

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the event; those still invited are offered an individual visit."""
        event = event_services.event_cancel(event=self.get_object(), user=request.user)
        return Response(self.get_serializer(event).data)

    @extend_schema(request=EventAddSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        form = EventAddSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        registration = event_services.event_add_citizen(
            event=self.get_object(), citizen=form.validated_data["citizen"], user=request.user
        )
        return Response(RegistrationSerializer(registration).data, status=201)


class RespondSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["register", "decline", "check_in", "undo_check_in", "no_show"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class RegistrationViewSet(AccessLoggedMixin, viewsets.ReadOnlyModelViewSet):
    """Who is on an event's list, and their answers. Filter with `event`, `citizen`, `status`.
    POST {id}/respond/ with `register`, `decline` (the citizen is then offered an individual
    visit, BEK 716/2019 § 2), `check_in` (on the day: recorded as a visit), `undo_check_in` (within FHB_UNDO_MINUTES) or
    `no_show`."""

    access_purpose = "API: tilmeldinger til arrangementer"

    serializer_class = RegistrationSerializer
    filterset_fields = ["event", "citizen", "status"]

    def get_permissions(self):
        perm = "visits.view_events" if self.action in ("list", "retrieve") else "visits.manage_events"
        return [HasPerm(perm)()]

    def get_queryset(self):
        return registrations_visible_to(self.request.user).order_by("id")

    @extend_schema(request=RespondSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        form = RespondSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        registration = event_services.registration_respond(
            registration=self.get_object(), user=request.user, **form.validated_data
        )
        return Response(self.get_serializer(registration).data)


__all__ = [
    "BookingViewSet",
    "EventViewSet",
    "FollowUpViewSet",
    "RegistrationStatus",
    "RegistrationViewSet",
    "VisitViewSet",
]
