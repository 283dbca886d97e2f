"""Reads of letter batches and letters, each starting from the municipality boundary
(`fhb.selectors.visible_to`)."""

from __future__ import annotations

from django.db.models import QuerySet

from fhb.models import User
from fhb.selectors import visible_to

from .models import Letter, LetterBatch, LetterTemplate


def batches_visible_to(user: User) -> QuerySet[LetterBatch]:
    return visible_to(user, LetterBatch)


def letters_visible_to(user: User) -> QuerySet[Letter]:
    return visible_to(user, Letter, via="batch__municipality")


def templates_visible_to(user: User) -> QuerySet[LetterTemplate]:
    """The municipality's own letter texts (a kind without one uses the product's default)."""
    return visible_to(user, LetterTemplate)
