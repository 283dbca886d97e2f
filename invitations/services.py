"""Writes of invitations outside the letter batches (`batches/`): the municipality's letter texts."""

from __future__ import annotations

from fhb.models import Municipality, User

from .models import LetterTemplate


def letter_template_save(
    *, municipality: Municipality, kind: str, subject: str, body: str, user: User
) -> LetterTemplate:
    """The municipality's text for a letter kind, replacing the product's default from now on."""
    template = LetterTemplate.objects.filter(municipality=municipality, kind=kind).first() or LetterTemplate(
        municipality=municipality, kind=kind
    )
    template.subject, template.body, template.updated_by = subject, body, user
    template._history_user = user
    template.save()
    return template
