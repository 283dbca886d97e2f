"""Template helpers for fhb pages."""

from urllib.parse import quote_plus

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import number_format

from fhb.cpr import mask
from fhb.law import TARGET_GROUP_LABELS
from fhb.models import Exemption

register = template.Library()


@register.filter
def age_on(citizen, day):
    """Completed years on `day`."""
    return citizen.age_on(day)


@register.filter
def group_label(code, labels=None):
    """A target group's name: from `labels` (the page's `group_labels`, which has the
    municipality's own groups), else the statutory groups' names, else the code."""
    if labels and code in labels:
        return labels[code]
    return TARGET_GROUP_LABELS.get(code, code)


@register.filter
def exemption_label(code):
    try:
        return Exemption(code).label
    except ValueError:
        return code


@register.filter
def num(value):
    """A count with the thousands separator of the active language; suppressed (None) as "x"."""
    if value is None:
        return "x"

    return intcomma(value, use_l10n=True)


@register.filter
def pct(value, digits=1):
    """0.1234 -> "12,3 %" (Danish) / "12.3 %"; None -> "x"."""
    if value is None:
        return "x"

    return f"{number_format(value * 100, int(digits))} %"


@register.filter
def cpr_mask(number):
    return mask(number or "")


@register.filter
def weekday_names(days) -> str:
    """[0, 2] -> 'man, ons' (Monday is 0)."""
    return ", ".join(str(WEEKDAYS_ABBR[d]) for d in sorted(days or []))


@register.filter
def map_url(citizen) -> str:
    """A link that opens the device's map app at the citizen's address (FHB_MAP_URL)."""
    query = quote_plus(f"{citizen.address}, {citizen.postal_code} {citizen.city}")
    return settings.FHB["MAP_URL"].format(query=query)


@register.filter
def tel(phone) -> str:
    """A phone number as a tel: link's target: digits and a leading +, nothing else."""
    text = str(phone or "")
    return ("+" if text.strip().startswith("+") else "") + "".join(ch for ch in text if ch.isdigit())
