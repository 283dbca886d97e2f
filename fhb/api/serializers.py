"""API representations. Lists carry the masked CPR only; one citizen's full CPR is in the detail."""

from rest_framework import serializers

from fhb import selectors
from fhb.intake import REFERRAL_CHOICES
from fhb.models import Citizen, InvitationKind, Offer, OfferStatus, RiskEvent, RiskGroup

from .params import YearField


class CodeRelatedField(serializers.SlugRelatedField):
    """An object by its code. A code with a NUL character is refused as not found (PostgreSQL
    cannot compare text with NUL in it: it answered 500)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class RiskGroupSerializer(serializers.ModelSerializer):
    builtin = serializers.BooleanField(source="is_builtin", read_only=True)

    class Meta:
        model = RiskGroup
        fields = ["id", "code", "label", "builtin"]


class CitizenListSerializer(serializers.ModelSerializer):
    cpr_masked = serializers.CharField(read_only=True)
    lives_alone = serializers.BooleanField(read_only=True)

    class Meta:
        model = Citizen
        fields = [
            "id",
            "cpr_masked",
            "first_name",
            "last_name",
            "birth_date",
            "sex",
            "address",
            "postal_code",
            "city",
            "household_size",
            "lives_alone",
            "deceased_on",
            "moved_out_on",
        ]


class RiskEventSerializer(serializers.ModelSerializer):
    citizen = serializers.PrimaryKeyRelatedField(queryset=Citizen.objects.none())
    risk_group = CodeRelatedField(slug_field="code", queryset=RiskGroup.objects.none())
    risk_group_label = serializers.CharField(source="risk_group.label", read_only=True)

    class Meta:
        model = RiskEvent
        fields = ["id", "citizen", "risk_group", "risk_group_label", "registered_on", "source", "note", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # uniqueness is the service's to check, with the same message as the web form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        request = self.context.get("request")
        if request is not None:
            self.fields["citizen"].queryset = selectors.citizens_visible_to(request.user)
            self.fields["risk_group"].queryset = selectors.risk_groups_visible_to(request.user)


class CitizenDetailSerializer(CitizenListSerializer):
    cpr = serializers.CharField(source="cpr_formatted", read_only=True)
    risk_events = RiskEventSerializer(many=True, read_only=True)

    class Meta(CitizenListSerializer.Meta):
        fields = [
            *CitizenListSerializer.Meta.fields,
            "cpr",
            "civil_status",
            "civil_status_date",
            "personal_care",
            "practical_help",
            "digital_post_exempt",
            "phone",
            "risk_events",
        ]


class CprLookupSerializer(serializers.Serializer):
    cpr = serializers.CharField(max_length=11, help_text="10 cifre, med eller uden bindestreg")


class OfferSerializer(serializers.ModelSerializer):
    citizen_name = serializers.CharField(source="citizen.full_name", read_only=True)
    cpr_masked = serializers.CharField(source="citizen.cpr_masked", read_only=True)
    groups = serializers.ListField(source="group_codes", child=serializers.CharField(), read_only=True)
    legal_basis = serializers.SerializerMethodField(help_text="What the offer's groups rest on in its year.")

    class Meta:
        model = Offer
        fields = [
            "id",
            "citizen",
            "citizen_name",
            "cpr_masked",
            "year",
            "groups",
            "primary_group",
            "status",
            "letter_kind",
            "exempt",
            "exemption_reason",
            "legal_basis",
            "invited_on",
            "consultant",
            "birth_date",
        ]

    def get_legal_basis(self, offer: Offer) -> str:
        cache = self.__dict__.setdefault("_bases", {})  # one look-up per municipality and year on a page
        key = (offer.municipality_id, offer.year)
        if key not in cache:
            cache[key] = selectors.year_legal_basis(*key)
        return cache[key]


class OfferSummarySerializer(serializers.Serializer):
    """The due list's counts: per target group and status, in total, and the offers still due by
    month of birthday (twelve numbers, January first)."""

    groups = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    totals = serializers.DictField(child=serializers.IntegerField())
    citizens = serializers.IntegerField()
    backlog_by_birth_month = serializers.ListField(child=serializers.IntegerField(), min_length=12, max_length=12)


class OfferTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=OfferStatus.choices)
    on = serializers.DateField(required=False, allow_null=True)
    letter_kind = serializers.ChoiceField(choices=InvitationKind.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class EligibilitySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    groups = serializers.ListField(child=serializers.CharField())
    reasons = serializers.DictField(child=serializers.CharField())
    visits_required = serializers.IntegerField()
    exempt = serializers.BooleanField()
    exemption_reason = serializers.CharField(allow_null=True)
    legal_basis = serializers.CharField(help_text="What the year's groups rest on (never § 79 a after 2025).")


class SyncSerializer(serializers.Serializer):
    year = YearField()


class ReferralSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=REFERRAL_CHOICES)
    referrer = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    received_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralResultSerializer(serializers.Serializer):
    risk_event = serializers.IntegerField()
    offer = serializers.IntegerField(allow_null=True)
    offer_status = serializers.CharField(allow_null=True)
    groups = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)
