"""Template helpers for fhb pages."""

from django import template

register = template.Library()


@register.filter
def age_on(citizen, day):
    """Completed years on `day`."""
    return citizen.age_on(day)


@register.filter
def group_label(code):
    from fhb.law import TARGET_GROUP_LABELS

    return TARGET_GROUP_LABELS.get(code, code)


@register.filter
def exemption_label(code):
    from fhb.models import Exemption

    try:
        return Exemption(code).label
    except ValueError:
        return code
