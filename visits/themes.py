"""What a preventive home visit talks about (domain.md § 5), as codes with Danish labels."""

from django.utils.translation import gettext_lazy as _

THEMES = {
    "mental_health": _("Mental sundhed og trivsel i hverdagen"),
    "physical_ability": _("Fysisk funktionsevne og faldrisiko"),
    "loneliness": _("Ensomhed og relationer"),
    "future": _("Tanker om fremtiden"),
    "common_conditions": _("Sanser, tænder og medicin"),
    "grief": _("Sorg"),
    "meaningful_activities": _("Meningsfulde aktiviteter"),
    "food": _("Mad, måltider og vægt"),
    "exercise": _("Motion"),
    "alcohol": _("Alkohol"),
    "smoking": _("Rygning"),
}
