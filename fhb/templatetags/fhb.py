"""Template helpers for fhb pages."""

from django import template

register = template.Library()


@register.filter
def age_on(citizen, day):
    """Completed years on `day`."""
    return citizen.age_on(day)
