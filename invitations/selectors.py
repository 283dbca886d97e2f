"""Reads of letter batches, letters, letter texts, quality standards and their drafts, each
starting from the municipality boundary (`fhb.selectors.visible_to`)."""

from __future__ import annotations

from django.db.models import QuerySet

from fhb.models import QualityStandard, User
from fhb.selectors import visible_to

from .models import Letter, LetterBatch, LetterTemplate, TargetGroupDraft


def batches_visible_to(user: User) -> QuerySet[LetterBatch]:
    return visible_to(user, LetterBatch)


def letters_visible_to(user: User) -> QuerySet[Letter]:
    return visible_to(user, Letter, via="batch__municipality")


def templates_visible_to(user: User) -> QuerySet[LetterTemplate]:
    """The municipality's own letter texts (a kind without one uses the product's default)."""
    return visible_to(user, LetterTemplate)


def standards_visible_to(user: User) -> QuerySet[QualityStandard]:
    """The municipality's adopted quality standards."""
    return visible_to(user, QualityStandard)


def standard_versions_visible_to(user: User) -> QuerySet:
    """Every adopted version of the municipality's standards (their history), newest first."""
    return visible_to(user, QualityStandard.history.all()).order_by("-history_date", "-history_id")


def drafts_visible_to(user: User) -> QuerySet[TargetGroupDraft]:
    """The municipality's saved drafts of a year's target groups."""
    return visible_to(user, TargetGroupDraft)
