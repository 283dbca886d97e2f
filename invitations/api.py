"""REST API of the letter batches: plan (POST), read the preview, approve / send / cancel / apply
the proposal, follow the rendering, download the files; a letter's free times and its response;
the call list; the municipality's closing days. Scoped to the user's municipality; the same
services as the web pages."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from fhb.api.access import AccessLoggedMixin
from fhb.errors import DomainError
from fhb.models import InvitationKind, OfferStatus, User
from fhb.permissions import HasPerm
from fhb.selectors import staff_visible_to
from fhb.services import citizen_access_log
from visits.calendars import closing_day_add, closing_day_delete
from visits.models import ClosingDay, CollectiveEvent
from visits.selectors import closing_days_visible_to
from visits.workdays import closed_days, public_holidays

from . import batches
from .models import CallAttempt, CallOutcome, Letter, LetterBatch, LetterResponse, Selection
from .selectors import batches_visible_to, letters_visible_to


class LetterBatchSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    created_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = LetterBatch
        fields = [
            "id", "period_start", "period_end", "groups", "statuses", "letter_kinds", "letter_date", "selection",
            "event", "status", "plan", "letters_done", "letters_total", "progress_percent", "message", "created_by",
            "created_at", "approved_at", "rendered_at", "sent_at", "cancelled_at",
        ]  # fmt: skip
        read_only_fields = fields


class PlanSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    groups = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1)
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=batches.PLANNABLE_STATUSES), required=False, default=[OfferStatus.DUE]
    )
    letter_kinds = serializers.DictField(child=serializers.ChoiceField(choices=InvitationKind.choices), required=False)
    letter_date = serializers.DateField(required=False)
    selection = serializers.ChoiceField(
        choices=Selection.choices,
        default=Selection.ALL,
        help_text="all: the whole group; birth_month: birthdays in the period (and earlier, not yet invited); "
        "even: the group spread evenly over the year's remaining months.",
    )
    event = serializers.PrimaryKeyRelatedField(queryset=CollectiveEvent.objects.all(), required=False, allow_null=True)


class ProposalSerializer(serializers.Serializer):
    move_to_open = serializers.ListField(child=serializers.CharField(max_length=40))


class LetterSerializer(serializers.ModelSerializer):
    citizen_name = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id", "batch", "citizen", "citizen_name", "kind", "group", "consultant", "starts_at", "booking", "paper",
            "sha256", "pages", "response", "response_reason", "responded_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_citizen_name(self, obj) -> str:
        return f"{obj.citizen.first_name} {obj.citizen.last_name}"


class CallListEntrySerializer(LetterSerializer):
    """A letter on the call list, with the calls so far."""

    phone = serializers.CharField(source="citizen.phone")
    postal_code = serializers.CharField(source="citizen.postal_code")
    attempts = serializers.IntegerField()
    last_call = serializers.DateTimeField(allow_null=True)
    next_attempt = serializers.DateField(allow_null=True)
    last_outcome = serializers.CharField(allow_null=True)

    class Meta(LetterSerializer.Meta):
        fields = [
            *LetterSerializer.Meta.fields, "reason", "phone", "postal_code", "attempts", "last_call", "next_attempt",
            "last_outcome",
        ]  # fmt: skip
        read_only_fields = fields


class CallSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    next_attempt = serializers.DateField(required=False, allow_null=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    consultant = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class CallAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallAttempt
        fields = ["id", "letter", "citizen", "outcome", "note", "next_attempt", "called_at", "called_by"]
        read_only_fields = fields


# The answers a response can register (every LetterResponse but "not registered").
ANSWERS = [c for c in LetterResponse.values if c]


class LetterRespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=ANSWERS)
    reason = serializers.CharField(max_length=300, required=False, default="")
    starts_at = serializers.DateTimeField(required=False)
    consultant = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)


CONSEQUENCES = ("approve", "cancel", "send", "restore")


class ConsequenceSerializer(serializers.Serializer):
    action = serializers.CharField()
    text = serializers.CharField()


class LetterBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Letter batches. POST plans a draft (201, with the preview in `plan`: counts, capacity, the
    shortfall proposal with expected visits, the calendar load). POST {id}/approve/ books the date
    letters' times and renders in the background (follow `progress_percent`); {id}/send/ marks the
    offers invited; {id}/cancel/ cancels before sending and {id}/restore/ undoes that;
    GET {id}/consequence/?action=approve|cancel|send|restore says what each will do; {id}/proposal/
    re-plans a draft with groups moved to open letters. GET
    {id}/files/{print.pdf|manifest.json|manifest.csv}/ downloads."""

    serializer_class = LetterBatchSerializer
    permission_classes = [HasPerm("invitations.plan_batches")]
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LetterBatch.objects.none()
        return batches_visible_to(self.request.user).select_related("created_by")

    @extend_schema(request=PlanSerializer, responses={201: LetterBatchSerializer})
    def create(self, request):
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        batch = batches.batch_plan(
            municipality=request.user.municipality, user=request.user, period_start=v["period_start"],
            period_end=v["period_end"], groups=v["groups"], statuses=v["statuses"],
            letter_kinds=v.get("letter_kinds") or {}, letter_date=v.get("letter_date"), event=v.get("event"),
            selection=v["selection"],
        )  # fmt: skip
        return Response(LetterBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: LetterBatchSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        batch = batches.batch_approve(batch=self.get_object(), user=request.user)
        return Response(LetterBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=LetterBatchSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return Response(LetterBatchSerializer(batches.batch_send(batch=self.get_object(), user=request.user)).data)

    @extend_schema(request=None, responses=LetterBatchSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(LetterBatchSerializer(batches.batch_cancel(batch=self.get_object(), user=request.user)).data)

    @extend_schema(request=None, responses=LetterBatchSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Undo a cancellation (never sent): approved again on the same times when they are still
        free and ahead, else a draft to plan again (`message` says why)."""
        return Response(LetterBatchSerializer(batches.batch_restore(batch=self.get_object(), user=request.user)).data)

    @extend_schema(
        parameters=[OpenApiParameter("action", str, enum=list(CONSEQUENCES), required=True)],
        responses={200: ConsequenceSerializer},
    )
    @action(detail=True, methods=["get"])
    def consequence(self, request, pk=None):
        """What approve, cancel, send or restore would do, in Danish: the text the web confirms."""
        batch = self.get_object()  # another municipality's batch is not found, whatever is asked
        what = request.query_params.get("action", "")
        if what not in CONSEQUENCES:
            raise serializers.ValidationError({"action": f"Vælg en af {', '.join(CONSEQUENCES)}."})
        return Response({"action": what, "text": batches.batch_consequence(batch, what)})

    @extend_schema(request=None, responses={202: LetterBatchSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Resume rendering a failed or stalled batch; letters already rendered are kept."""
        batch = batches.batch_retry(batch=self.get_object(), user=request.user)
        return Response(LetterBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ProposalSerializer, responses=LetterBatchSerializer)
    @action(detail=True, methods=["post"])
    def proposal(self, request, pk=None):
        data = ProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = batches.batch_apply_proposal(
            batch=self.get_object(), user=request.user, move_to_open=data.validated_data["move_to_open"]
        )
        return Response(LetterBatchSerializer(batch).data)

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(batches.BATCH_FILES))],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<name>print\.pdf|manifest\.json|manifest\.csv)")
    def files(self, request, pk=None, name=None):
        try:
            handle = batches.batch_file(batch=self.get_object(), name=name, user=request.user, path=request.path)
        except DomainError as exc:
            raise NotFound(exc.message) from exc
        return FileResponse(handle, as_attachment=True, filename=name)


class SlotSerializer(serializers.Serializer):
    """A free time for the citizen's visit: who and when."""

    consultant = serializers.IntegerField()
    consultant_name = serializers.CharField()
    starts_at = serializers.DateTimeField()


class LetterViewSet(AccessLoggedMixin, viewsets.ReadOnlyModelViewSet):
    """Letters of sent batches. GET {id}/slots/ lists the next free times for the citizen;
    POST {id}/respond/ registers accept / move / decline / no answer (moving, and accepting an open
    letter, need `starts_at` and `consultant` from the free times). GET call-list/ lists open-letter
    non-responders (filter, sort, paged); POST {id}/call/ records a call."""

    access_purpose = "API: breve"

    serializer_class = LetterSerializer
    permission_classes = [HasPerm("invitations.respond")]
    filterset_fields = ["batch", "kind", "response"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Letter.objects.none()
        return letters_visible_to(self.request.user).select_related("citizen")

    def retrieve(self, request, *args, **kwargs):
        letter = self.get_object()
        citizen_access_log(user=request.user, citizens=letter.citizen, endpoint=request.path, purpose="brev")
        return Response(LetterSerializer(letter).data)

    @extend_schema(request=LetterRespondSerializer, responses=LetterSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        data = LetterRespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        consultant = v.get("consultant")
        if consultant is not None and consultant.municipality_id != request.user.municipality_id:
            consultant = None
        letter = batches.letter_respond(
            letter=self.get_object(), user=request.user, response=v["response"], reason=v["reason"],
            starts_at=v.get("starts_at"), consultant=consultant,
        )  # fmt: skip
        return Response(LetterSerializer(letter).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="first day (default: a week before the letter's time)"
            ),
            OpenApiParameter("days", int, description="days from `from` (default 14, at most 62)"),
            OpenApiParameter("consultant", int, description="one consultant's times only"),
        ],
        responses=SlotSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def slots(self, request, pk=None):
        """Free times for moving the visit (or booking an open letter): never a taken time, the
        letter's own booking freed, open days and the week's capacity respected."""
        letter = self.get_object()
        params = request.query_params
        try:
            start = dt.date.fromisoformat(params["from"]) if params.get("from") else None
            days = int(params.get("days") or 14)
            consultant = int(params["consultant"]) if params.get("consultant") else None
        except ValueError as exc:
            raise serializers.ValidationError({"from": "from ÅÅÅÅ-MM-DD, days og consultant som tal."}) from exc
        if not 1 <= days <= 62:
            raise serializers.ValidationError({"days": "days skal være mellem 1 og 62."})
        slots = batches.free_slots_for(
            letter.citizen, start=batches.slot_window(letter, start), days=days, consultant_id=consultant,
            exclude_booking=letter.booking_id,
        )  # fmt: skip
        return Response(
            [{"consultant": u.pk, "consultant_name": u.get_full_name(), "starts_at": s.isoformat()} for u, s in slots]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, description="days after the letter (default: the setting)"),
            OpenApiParameter("group", str, description="a target group code"),
            OpenApiParameter("consultant", int, description="the citizens in this consultant's districts"),
            OpenApiParameter("order", str, enum=list(batches.CALL_ORDERS), description="default: forsoeg"),
            OpenApiParameter("later", bool, description="only those to call again on a later day"),
        ],
        responses=CallListEntrySerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="call-list")
    def call_list(self, request):
        """Open-letter citizens who have not answered, with their calls so far; paged."""
        params = request.query_params
        try:
            days = int(params["days"]) if params.get("days") else None
            consultant_id = int(params["consultant"]) if params.get("consultant") else None
        except ValueError as exc:
            raise serializers.ValidationError({"days": "days og consultant skal være tal."}) from exc
        if days is not None and not 0 <= days <= 365:
            raise serializers.ValidationError({"days": "days skal være mellem 0 og 365."})
        consultant = None
        if consultant_id is not None:
            consultant = staff_visible_to(request.user, roles=["consultant"]).filter(pk=consultant_id).first()
            if consultant is None:
                raise serializers.ValidationError({"consultant": "Ukendt konsulent."})
        rows = batches.call_list(
            request.user.municipality, days=days, group=params.get("group") or None, consultant=consultant,
            order=params.get("order", "forsoeg"), later=params.get("later") in ("1", "true"),
        )  # fmt: skip
        page = self.paginate_queryset(rows)
        citizen_access_log(
            user=request.user, citizens=[letter.citizen for letter in page], endpoint=request.path, purpose="ringeliste"
        )
        return self.get_paginated_response(CallListEntrySerializer(page, many=True).data)

    @extend_schema(request=CallSerializer, responses={201: CallAttemptSerializer})
    @action(detail=True, methods=["post"])
    def call(self, request, pk=None):
        """Record a call: no_answer and call_again keep the citizen on the list (from `next_attempt`,
        by default the next working day for no_answer); booked (needs `starts_at` and `consultant`
        from the letter's slots), declined and gave_up take them off. A contact, never a visit."""
        data = CallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        consultant = v.get("consultant")
        if consultant is not None and consultant.municipality_id != request.user.municipality_id:
            consultant = None
        call = batches.call_record(
            letter=self.get_object(), user=request.user, outcome=v["outcome"], note=v["note"],
            next_attempt=v.get("next_attempt"), starts_at=v.get("starts_at"), consultant=consultant,
        )  # fmt: skip
        return Response(CallAttemptSerializer(call).data, status=status.HTTP_201_CREATED)


class ClosingDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosingDay
        fields = ["id", "date", "name"]


class ClosedDaySerializer(serializers.Serializer):
    """A day without visits: a public holiday or one of the municipality's closing days."""

    date = serializers.DateField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["public_holiday", "closing_day"])


class ClosingDayViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The municipality's own closing days (no visit is planned or booked on them), beside the
    public holidays. GET closed/?from=&to= lists every closed day in a period, holidays included."""

    serializer_class = ClosingDaySerializer
    permission_classes = [HasPerm("invitations.edit_capacity")]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClosingDay.objects.none()
        return closing_days_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = closing_day_add(
            municipality=self.request.user.municipality, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        closing_day_delete(
            municipality=self.request.user.municipality, closing_day_id=instance.pk, user=self.request.user
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses=ClosedDaySerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def closed(self, request):
        try:
            start = dt.date.fromisoformat(request.query_params.get("from", ""))
            end = dt.date.fromisoformat(request.query_params.get("to", ""))
        except ValueError as exc:
            raise serializers.ValidationError({"from": "Angiv from og to som ÅÅÅÅ-MM-DD."}) from exc
        if end < start or (end - start).days > 800:
            raise serializers.ValidationError({"to": "to skal ligge efter from og højst 800 dage senere."})
        days = closed_days(request.user.municipality_id, start, end)
        holidays = public_holidays(start, end)
        kinds = {True: "public_holiday", False: "closing_day"}
        return Response([{"date": d.isoformat(), "name": n, "kind": kinds[d in holidays]} for d, n in days.items()])
