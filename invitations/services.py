"""Writes of invitations outside the letter batches (`batches/`): the municipality's letter texts,
and the drafts of its target groups (adopted through the quality standard's import)."""

from __future__ import annotations

from django.db import transaction

from fhb.models import Municipality, User
from fhb.offers import offers_sync
from fhb.registry.quality_standard import quality_standard_import

from .models import LetterTemplate, TargetGroupDraft


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


def target_group_draft_save(*, municipality: Municipality, year: int, document: dict, user: User | None):
    """Keep a year's draft standard (already validated) until it is adopted."""
    draft, _created = TargetGroupDraft.objects.update_or_create(
        municipality=municipality, year=year, defaults={"document": document, "updated_by": user}
    )
    return draft


def target_group_draft_adopt(*, municipality: Municipality, text: str, year: int, user: User):
    """Adopt the year's standard (the import's rules: all or nothing), drop its draft, and bring
    the year's offers in line with the adopted groups (one set-based sync), so the due list and
    the letter batches work on them at once: untouched offers of citizens the new groups no longer
    reach are withdrawn. Returns the sync's result."""
    with transaction.atomic():
        quality_standard_import(data=text, municipality=municipality, user=user)
        TargetGroupDraft.objects.filter(municipality=municipality, year=year).delete()
    return offers_sync(municipality=municipality, year=year, user=user, withdraw_dropped=True)


def target_group_draft_discard(*, municipality: Municipality, year: int) -> None:
    TargetGroupDraft.objects.filter(municipality=municipality, year=year).delete()
