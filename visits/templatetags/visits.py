"""Template filters of visits: `{% load visits %}`."""

from django import template

from ..models import VisitKind

register = template.Library()


@register.filter
def visit_kind_label(code):
    try:
        return VisitKind(code).label
    except ValueError:
        return code or ""
