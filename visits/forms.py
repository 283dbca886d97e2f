"""The visit form, built for a tablet at the kitchen table: big radio buttons and checkboxes,
screenings as plain number fields (a decimal comma is fine), follow-ups as a short formset."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fhb.errors import DomainError
from fhb.forms import DkfdsForm, style_widgets
from fhb.law import TARGET_GROUP_LABELS
from fhb.selectors import target_group_labels

from .models import CancelReason, FollowUpKind, MunicipalUnit, VisitKind, VisitOutcome
from .screenings import SCREENINGS, TOTAL_FACTOR, ScreeningError, screening_read
from .services import follow_up_check
from .themes import THEMES

# The target groups of the law in force (from 1 July 2019).
CURRENT_GROUPS = [
    (code, TARGET_GROUP_LABELS[code])
    for code in ("age_70_living_alone", "age_75", "age_80", "age_82_plus", "at_risk_65_81")
]


def group_choices_for(user) -> list[tuple[str, str]]:
    """The statutory groups of the law in force, and the municipality's own groups (from 2026)."""
    labels = target_group_labels(user.municipality_id)
    codes = [code for code, _label in CURRENT_GROUPS]
    return CURRENT_GROUPS + [
        (c, label) for c, label in labels.items() if c not in codes and c not in TARGET_GROUP_LABELS
    ]


def screening_field(kind: str, measure: str) -> str:
    return f"scr__{kind}__{measure}"


def _is_item(kind: str, code: str) -> bool:
    definition = SCREENINGS.get(kind)
    return bool(definition and any(m.code == code and m.is_item for m in definition.measures))


class VisitForm(DkfdsForm):
    mark_optional = True
    kind = forms.ChoiceField(
        label=_("Type"), choices=VisitKind.choices, widget=forms.RadioSelect, initial=VisitKind.HOME_VISIT
    )
    outcome = forms.ChoiceField(
        label=_("Udfald"), choices=VisitOutcome.choices, widget=forms.RadioSelect, initial=VisitOutcome.COMPLETED
    )
    visit_date = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    started_at = forms.TimeField(
        label=_("Starttidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label=_("Varighed (minutter)"), required=False, min_value=1, max_value=600)
    themes = forms.MultipleChoiceField(
        label=_("Temaer"), required=False, choices=list(THEMES.items()), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Journalnotat"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    draft = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the autosaved draft (app.js)

    def __init__(self, *args, citizen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizen = citizen
        self.fields["visit_date"].initial = timezone.localdate()
        for kind in SCREENINGS.values():
            for m in kind.measures:
                name = screening_field(kind.code, m.code)
                if m.is_item:  # an instrument's question: its own answers, item by item
                    self.fields[name] = forms.ChoiceField(
                        label=m.label,
                        required=False,
                        # The instrument's scoring beside each answer where the answers add up to a total.
                        choices=[
                            (str(value), f"{label} ({value})" if kind.code in TOTAL_FACTOR else label)
                            for value, label in m.choices
                        ],
                        widget=forms.RadioSelect(attrs={"data-item": kind.code}),
                    )
                    continue
                attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "input-width-xs"}
                label = f"{m.label} {m.unit}".strip()
                if m.derived:  # the total: computed from the answers (typed only from a paper form)
                    attrs["data-total"] = kind.code
                    attrs["data-factor"] = TOTAL_FACTOR.get(kind.code, 1)
                    label = _("%(label)s — udregnes af svarene") % {"label": label}
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=10, widget=forms.TextInput(attrs=attrs)
                )
                self.fields[name].conditional = m.derived  # computed, so never "(frivilligt)"
        style_widgets(self)  # again, for the screening fields

    def screening_groups(self):
        """(kind, [bound fields]) for the template."""
        return [
            (
                kind,
                [self[screening_field(kind.code, m.code)] for m in kind.measures if m.is_item],
                [self[screening_field(kind.code, m.code)] for m in kind.measures if not m.is_item],
            )
            for kind in SCREENINGS.values()
        ]

    @property
    def has_screening_input(self) -> bool:
        return any(
            (
                self.data.get(screening_field(k.code, m.code))
                if self.is_bound
                else self.initial.get(screening_field(k.code, m.code))
            )
            for k in SCREENINGS.values()
            for m in k.measures
        )

    def clean(self):
        data = super().clean()
        screenings = {}
        for kind in SCREENINGS.values():
            raw = {m.code: (data.get(screening_field(kind.code, m.code)) or "").strip() for m in kind.measures}
            if not any(raw.values()):
                continue
            if self.citizen is None or not data.get("visit_date"):
                screenings[kind.code] = raw
                continue
            try:
                screening_read(
                    kind.code, raw, birth_date=self.citizen.birth_date, sex=self.citizen.sex, on=data["visit_date"]
                )
            except ScreeningError as exc:
                self.add_error(screening_field(kind.code, exc.measure or kind.measures[0].code), exc.message)
            screenings[kind.code] = raw
        if screenings and (
            data.get("kind") not in (VisitKind.HOME_VISIT, VisitKind.FOLLOW_UP_VISIT)
            or data.get("outcome") != VisitOutcome.COMPLETED
        ):
            self.add_error("kind", _("Screeninger registreres kun ved et gennemført besøg i hjemmet."))
        data["screenings"] = screenings
        return data

    @staticmethod
    def initial_screenings(visit) -> dict:
        return {
            screening_field(s.kind, code): (str(int(value)) if _is_item(s.kind, code) else str(value).replace(".", ","))
            for s in visit.screenings.all()
            for code, value in s.values.items()
        }


class FollowUpForm(DkfdsForm):
    mark_optional = True
    conditional = ("unit", "description", "due_on")
    kind = forms.ChoiceField(
        label=_("Opfølgning"), required=False, choices=[("", _("— ingen —")), *FollowUpKind.choices]
    )
    unit = forms.ChoiceField(
        label=_("Enhed"),
        required=False,
        choices=[("", _("Vælg")), *MunicipalUnit.choices],
        help_text=_("Skal udfyldes ved overdragelse til en kommunal enhed."),
    )
    description = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=300,
        help_text=_("Fx aktivitetens navn. Skal udfyldes ved henvisning til en aktivitet."),
    )
    due_on = forms.DateField(
        label=_("Senest"),
        help_text=_("Skal udfyldes ved nyt besøg eller ny kontakt."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    consent_given = forms.BooleanField(label=_("Borgeren har givet samtykke til, at oplysninger deles"), required=False)
    consent_to = forms.CharField(
        label=_("Samtykket gælder"),
        required=False,
        max_length=200,
        help_text=_("Den enhed eller person, der må få oplysningerne. Tomt: den valgte enhed eller egen læge."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("kind"):
            return {}

        try:
            follow_up_check(data, after=timezone.localdate())
        except DomainError as exc:
            self.add_error(exc.field, exc.message)
        return data


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=1, max_num=10)


class BookingForm(DkfdsForm):
    mark_optional = True
    consultant = forms.ModelChoiceField(label=_("Konsulent"), queryset=None)
    day = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Tidspunkt"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("Varighed (minutter)"), initial=60, min_value=5, max_value=480)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[c for c in VisitKind.choices if c[0] != VisitKind.COLLECTIVE_EVENT],
        initial=VisitKind.HOME_VISIT,
    )
    note = forms.CharField(
        label=_("Praktisk note"),
        required=False,
        max_length=300,
        help_text=_("Kun praktiske oplysninger, fx »ring på hos naboen«. Ingen helbredsoplysninger."),
    )

    def __init__(self, *args, consultants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants


class BookingCancelForm(DkfdsForm):
    """Cancelling a booked visit asks why; "Andet" needs a few words."""

    reason = forms.ChoiceField(
        label=_("Hvorfor aflyses besøget?"), choices=CancelReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Bemærkning"),
        required=False,
        max_length=200,
        help_text=_("Skal udfyldes ved »Andet«. Ingen helbredsoplysninger."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == CancelReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Skriv hvorfor besøget aflyses."))
        return data


class FollowUpCloseForm(DkfdsForm):
    """Closing a follow-up by hand records what came of it."""

    status = forms.ChoiceField(
        label=_("Afslut som"),
        choices=[("done", _("Udført")), ("cancelled", _("Annulleret — bliver ikke til noget"))],
        widget=forms.RadioSelect,
        initial="done",
    )
    outcome = forms.CharField(
        label=_("Hvad kom der ud af det?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fx »Visiteret til træning« eller »Borgeren ønskede det ikke«."),
    )


class EventForm(DkfdsForm):
    mark_optional = True
    title = forms.CharField(label=_("Titel"), max_length=200)
    theme = forms.CharField(label=_("Tema"), max_length=200, required=False)
    description = forms.CharField(label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    date = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts_at = forms.TimeField(
        label=_("Starttidspunkt"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Sluttidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    venue = forms.CharField(label=_("Sted"), max_length=300)
    capacity = forms.IntegerField(label=_("Pladser"), min_value=1, max_value=5000)
    speakers = forms.CharField(
        label=_("Oplægsholdere og samarbejdspartnere"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Målgrupper"),
        required=False,
        choices=CURRENT_GROUPS,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["target_groups"].choices = group_choices_for(user)


class EventInviteForm(DkfdsForm):
    mark_optional = True
    groups = forms.MultipleChoiceField(
        label=_("Invitér borgere i målgrupperne"),
        choices=CURRENT_GROUPS,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["groups"].choices = group_choices_for(user)

    limit = forms.IntegerField(
        label=_("Højst"), required=False, min_value=1, help_text=_("Tom: alle, der ikke er inviteret endnu.")
    )
