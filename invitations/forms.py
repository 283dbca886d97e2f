from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fhb.eligibility.policy import Policy
from fhb.forms import DkfdsForm, style_widgets
from fhb.law import TARGET_GROUP_LABELS, rule_set_for
from fhb.models import District, InvitationKind, OfferStatus
from visits.models import Absence, ClosingDay, CollectiveEvent, ConsultantCalendar

from . import letters as letterlib
from .models import CallOutcome, LetterTemplate, Selection


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


WEEKDAY_CHOICES = [(0, _("Mandag")), (1, _("Tirsdag")), (2, _("Onsdag")), (3, _("Torsdag")), (4, _("Fredag"))]


def group_choices(year: int, policy: Policy | None = None) -> list[tuple[str, str]]:
    """The year's target groups a batch can be planned for: the municipality's own (from 2026, in
    its standard's order), else the statutory groups of the year (or their continuation)."""
    local = policy.local_groups_for(year) if policy else ()
    if local:
        return [(g.code, g.label) for g in local]
    rules = rule_set_for(year)
    codes = [r.code for r in rules.age_rules] + ([rules.risk_rule.code] if rules.risk_rule else [])
    return [(c, TARGET_GROUP_LABELS.get(c, c)) for c in codes]


class BatchForm(DkfdsForm):
    period_start = forms.DateField(label=_("Besøg fra"), widget=_date())
    period_end = forms.DateField(label=_("Besøg til og med"), widget=_date())
    groups = forms.MultipleChoiceField(label=_("Målgrupper"), widget=forms.CheckboxSelectMultiple)
    statuses = forms.MultipleChoiceField(
        label=_("Tilbud"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(OfferStatus.DUE, _("Skal tilbydes")), (OfferStatus.NO_RESPONSE, _("Intet svar på tidligere brev"))],
        initial=[OfferStatus.DUE],
    )
    letter_date = forms.DateField(label=_("Brevdato"), widget=_date(), initial=timezone.localdate)
    selection = forms.ChoiceField(
        label=_("Hvem inviteres"),
        choices=Selection.choices,
        initial=Selection.BIRTH_MONTH,
        required=False,  # a form posted without it plans the whole group, as the API does
        widget=forms.RadioSelect,
        help_text=_("Fødselsmåned er den almindelige praksis: borgeren inviteres i måneden for fødselsdagen."),
    )
    event = forms.ModelChoiceField(
        label=_("Arrangement (til invitationer)"), queryset=CollectiveEvent.objects.none(), required=False
    )

    def __init__(self, *args, municipality, year: int, kinds: dict[str, str], policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = group_choices(year, policy)
        self.fields["groups"].choices = choices
        self.kind_fields = []
        for code, label in choices:
            name = f"kind_{code}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=InvitationKind.choices,
                initial=kinds.get(code, InvitationKind.DATE_LETTER),
                required=False,
            )
            self.kind_fields.append(self[name])
        self.fields["event"].queryset = CollectiveEvent.objects.filter(
            municipality=municipality, cancelled=False, date__gte=timezone.localdate()
        )
        style_widgets(self)

    def clean_selection(self) -> str:
        return self.cleaned_data.get("selection") or Selection.ALL

    def letter_kinds(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"kind_{code}"]
            for code in self.cleaned_data["groups"]
            if self.cleaned_data.get(f"kind_{code}")
        }


class DkfdsModelForm(forms.ModelForm):
    mark_optional = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        style_widgets(self)


class TemplateForm(DkfdsModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}

    def clean(self):
        data = super().clean()
        for field in ("subject", "body"):
            try:
                letterlib.check_template(data.get(field) or "")
            except Exception as exc:  # TemplateSyntaxError: say where
                self.add_error(field, _("Skabelonen kan ikke læses: %(e)s") % {"e": exc})
        return data


class CalendarForm(DkfdsModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Arbejdsdage med besøg"), choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    weekly_cap = forms.IntegerField(
        label=_("Højst besøg pr. uge"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("Tomt: kommunens standard (%(n)s). Planlægningen booker aldrig flere."),
    )

    class Meta:
        model = ConsultantCalendar
        fields = ["weekdays", "day_starts", "day_ends", "visit_minutes", "travel_minutes", "districts"]
        widgets = {
            "day_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "districts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = District.objects.filter(municipality=municipality)
        self.fields["districts"].required = False
        consultant = self.instance.consultant
        self.fields["weekly_cap"].initial = consultant.weekly_visit_capacity
        self.fields["weekly_cap"].help_text = self.fields["weekly_cap"].help_text % {
            "n": settings.FHB["DEFAULT_WEEKLY_VISIT_CAPACITY"]
        }

    def clean(self):
        data = super().clean()
        if data.get("day_starts") and data.get("day_ends") and data["day_ends"] <= data["day_starts"]:
            self.add_error("day_ends", _("Dagen skal slutte efter første besøg."))
        if data.get("visit_minutes") is not None and not 15 <= data["visit_minutes"] <= 240:
            self.add_error("visit_minutes", _("Et besøg skal vare mellem 15 og 240 minutter."))
        return data


class AbsenceForm(DkfdsModelForm):
    class Meta:
        model = Absence
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("Fraværet slutter før det begynder."))
        return data


class ClosingDayForm(DkfdsModelForm):
    class Meta:
        model = ClosingDay
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class SlotChoiceForm(DkfdsForm):
    """A form with a `slot` among the free times shown; the one posted back is accepted too (the
    service checks it is still free, and the page shows only real times)."""

    def set_slots(self, slots) -> None:
        choices = list(slots)
        posted = self.data.get("slot") if self.is_bound else ""
        if posted and posted not in dict(choices):
            choices.append((posted, posted))
        self.fields["slot"].choices = choices


class RespondForm(SlotChoiceForm):
    """A citizen's answer to a letter; moving, or booking an open letter, picks a free time."""

    response = forms.ChoiceField(label=_("Svar"), widget=forms.RadioSelect)
    slot = forms.ChoiceField(
        label=_("Ny tid"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Ved flytning, eller når borgeren med åbent brev vil have besøg."),
    )
    reason = forms.CharField(label=_("Begrundelse (ved nej tak)"), max_length=300, required=False)

    def __init__(self, *args, responses, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = responses
        self.set_slots(slots)


class CallForm(SlotChoiceForm):
    """A call from the call list: how it went, a note, when to try again, a time when booked."""

    outcome = forms.ChoiceField(label=_("Hvordan gik opkaldet?"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    slot = forms.ChoiceField(
        label=_("Tid til besøg"), required=False, widget=forms.RadioSelect, help_text=_("Når borgeren vil have besøg.")
    )
    next_attempt = forms.DateField(
        label=_("Ring igen"),
        required=False,
        widget=_date(),
        help_text=_("Ved intet svar: næste hverdag, hvis du ikke vælger en dag."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_slots(slots)
