"""Web forms of the core domain."""

from django import forms
from django.forms import renderers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ImportKind, OfferStatus, RiskGroup, RiskSource, User
from .registry.jobs import JSON_KINDS, MAX_JSON_UPLOAD_BYTES, MAX_UPLOAD_BYTES
from .selectors import access_period_error


class DkfdsFormRenderer(renderers.TemplatesSetting):
    """Renders every form field as a DKFDS form group (label, hint, error message, input)."""

    field_template_name = "fhb/forms/field.html"


WIDGET_CLASSES = {
    "select": "form-select",
    "nullbooleanselect": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-checkbox",
    "radioselect": "form-radio",
    "checkboxselectmultiple": "form-checkbox",
    "clearablefile": "form-file-input",
    "file": "form-file-input",
}


DJANGO_BLANK = "---------"


def _no_dashes(field: forms.Field) -> None:
    """A select's empty choice says what it means ("Vælg"), never Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = _("Vælg")
    elif isinstance(field, forms.ChoiceField) and not callable(field.choices):
        choices = list(field.choices)
        if any(value == "" and label == DJANGO_BLANK for value, label in choices):
            field.choices = [("", _("Vælg")) if label == DJANGO_BLANK else (v, label) for v, label in choices]


def style_widgets(form: forms.BaseForm) -> None:
    """Give widgets DKFDS's classes (form-input, form-select, ...); a select's empty choice a word."""
    for name, field in form.fields.items():
        _no_dashes(field)
        widget = field.widget
        css = WIDGET_CLASSES.get(
            widget.__class__.__name__.lower().removesuffix("input").removesuffix("widget"), "form-input"
        )
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])
        # Only after validation: reading form.errors earlier would validate the form too soon.
        if form._errors and name in form._errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}-error"


class DkfdsForm(forms.Form):
    mark_optional = False  # show "(frivilligt)" on optional fields
    conditional: tuple[str, ...] = ()  # fields required in some cases (the hint says when): never "(frivilligt)"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.conditional:
            self.fields[name].conditional = True
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        style_widgets(self)


class CitizenSearchForm(DkfdsForm):
    q = forms.CharField(label=_("Søg på navn, adresse eller fuldt CPR-nummer"), max_length=100, required=False)


class ImportUploadForm(DkfdsForm):
    kind = forms.ChoiceField(label=_("Hvad vil du importere?"), choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Fil"),
        help_text=_(
            "CSV i UTF-8 med overskriftsrække (; eller ,), JSON for kvalitetsstandarden, "
            "eller FHIR JSON/NDJSON for sygehusadviser (MedCom)."
        ),
    )
    strict = forms.BooleanField(
        label=_("Alt eller intet: importér ingenting, hvis en række er ugyldig"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Filen er for stor (højst 200 MB)."))
        if upload.size == 0:
            raise forms.ValidationError(_("Filen er tom."))
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and data.get("kind") in JSON_KINDS and upload.size > MAX_JSON_UPLOAD_BYTES:
            # A JSON document is read whole; the CSV files are read a row at a time.
            self.add_error("file", _("En JSON-fil må højst være 20 MB."))
        return data


class RiskEventForm(DkfdsForm):
    mark_optional = True
    risk_group = forms.ModelChoiceField(label=_("Risikogruppe"), queryset=RiskGroup.objects.none())
    registered_on = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(
        label=_("Kilde"),
        choices=[c for c in RiskSource.choices if c[0] != RiskSource.HOSPITAL_NOTIFICATION],
        initial=RiskSource.OTHER,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, risk_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if risk_groups is not None:
            self.fields["risk_group"].queryset = risk_groups


class AccessControlForm(DkfdsForm):
    """The periodic control of the access log: a period and, optionally, one employee."""

    mark_optional = True
    fra = forms.DateField(label=_("Fra"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    til = forms.DateField(label=_("Til"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    medarbejder = forms.ModelChoiceField(label=_("Medarbejder"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["medarbejder"].queryset = employees
        self.fields["medarbejder"].empty_label = _("Alle medarbejdere")

    def clean(self):
        data = super().clean()
        if data.get("fra") and data.get("til"):
            error = access_period_error(data["fra"], data["til"])
            if error:
                self.add_error("til", error)
        return data


class OfferStatusForm(DkfdsForm):
    mark_optional = True
    to_status = forms.ChoiceField(label=_("Ny status"), choices=[])
    on = forms.DateField(label=_("Dato"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in OfferStatus if s not in (OfferStatus.LAPSED,)]


class ReferralForm(DkfdsForm):
    """Intake: a concern referral or a self-referral."""

    mark_optional = True
    conditional = ("referrer",)
    kind = forms.ChoiceField(
        label=_("Henvendelse"),
        choices=[
            (RiskSource.CONCERN_REFERRAL, _("Bekymringshenvendelse (fra pårørende, en anden enhed, egen læge)")),
            (RiskSource.SELF_REFERRAL, _("Selvhenvendelse (borgeren selv)")),
        ],
        widget=forms.RadioSelect,
        initial=RiskSource.CONCERN_REFERRAL,
    )
    referrer = forms.CharField(
        label=_("Henvendelsen kommer fra"),
        max_length=200,
        required=False,
        help_text=_("Fx datter, hjemmeplejen, egen læge. Skal udfyldes ved en bekymringshenvendelse."),
    )
    received_on = forms.DateField(
        label=_("Modtaget"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Hvad drejer henvendelsen sig om?"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
