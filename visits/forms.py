"""The visit form, built for a tablet at the kitchen table: big radio buttons and checkboxes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fhb.forms import DkfdsForm

from .models import VisitKind, VisitOutcome
from .themes import THEMES


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
        label=_("Starttidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(label=_("Varighed (minutter)"), required=False, min_value=1, max_value=600)
    themes = forms.MultipleChoiceField(
        label=_("Temaer"), required=False, choices=list(THEMES.items()), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Journalnotat"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].initial = timezone.localdate()
