"""Writes of invitations outside the letter batches (`batches/`): the municipality's letter texts."""

from __future__ import annotations

from fhb.models import Municipality, User

from .models import LetterTemplate


def letter_template_save(
    *, municipality: Municipality, kind: str, subject: str, body: str, user: User, group: str = ""
) -> LetterTemplate:
    """The municipality's text for a letter kind (for one target group, when `group` is given),
    replacing the product's default (or its text for the kind) from now on."""
    template = LetterTemplate.objects.filter(
        municipality=municipality, kind=kind, group=group
    ).first() or LetterTemplate(municipality=municipality, kind=kind, group=group)
    template.subject, template.body, template.updated_by = subject, body, user
    template._history_user = user
    template.save()
    return template
