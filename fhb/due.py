"""Reads for the due lists: a year's offers filtered, counted per group and status, the backlog by
month of birthday, and exports (CSV, XLSX). Shared by the web page, the API and the exports."""

from __future__ import annotations

from collections import defaultdict

import django_filters
from django import forms
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .exports import csv_bytes, xlsx_bytes
from .filters import MunicipalityFilterSet
from .forms import DkfdsForm
from .law import TARGET_GROUP_LABELS
from .models import District, InvitationKind, Offer, OfferStatus, Role, User
from .selectors import staff_visible_to, target_group_labels, visible_to


def offers_visible_to(user: User) -> QuerySet[Offer]:
    return visible_to(user, Offer)


class OfferFilter(MunicipalityFilterSet):
    postal_code_field = "citizen__postal_code"

    group = django_filters.ChoiceFilter(
        label=_("Målgruppe"), method="filter_group", choices=list(TARGET_GROUP_LABELS.items()), empty_label=_("Alle")
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=OfferStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    letter_kind = django_filters.ChoiceFilter(
        label=_("Invitationsform"), choices=InvitationKind.choices, empty_label=_("Alle")
    )
    postal_code = django_filters.CharFilter(label=_("Postnummer"), field_name="citizen__postal_code")
    district = django_filters.ModelChoiceFilter(
        label=_("Distrikt"), queryset=District.objects.none(), method="filter_district", empty_label=_("Alle")
    )
    consultant = django_filters.ModelChoiceFilter(
        label=_("Konsulent"), queryset=User.objects.none(), empty_label=_("Alle")
    )
    not_invited = django_filters.BooleanFilter(
        label=_("Kun dem, der ikke er inviteret endnu"), method="filter_not_invited", widget=forms.CheckboxInput
    )

    class Meta:
        model = Offer
        form = DkfdsForm
        fields = ["group", "status", "letter_kind", "postal_code", "district", "consultant", "not_invited"]

    def scope_choices(self, user: User) -> None:
        self.filters["consultant"].queryset = staff_visible_to(user, roles=[Role.CONSULTANT], active_only=True)
        # The statutory groups and the municipality's own (interfaces.md § 6 a).
        group = self.filters["group"]
        group.extra["choices"] = list(target_group_labels(user.municipality_id).items())
        group.__dict__.pop("_field", None)  # a form field built before (e.g. for the API schema) had the old choices

    # In the API schema: any group code, not the statutory ones only (from 2026 each municipality
    # has its own: an unknown code is refused with 400).
    @extend_schema_field(
        {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]{0,39}$",
            "description": "Målgruppe: en lovbestemt kode (fx age_80) eller en af kommunens egne (kvalitetsstandardens "
            "target_groups, fx widowed_65_89); en ukendt kode afvises med 400",
        }
    )
    def filter_group(self, queryset, name, value: str) -> QuerySet[Offer]:
        return queryset.filter(groups__contains=f"|{value}|")

    def filter_not_invited(self, queryset, name, value: bool) -> QuerySet[Offer]:
        return queryset.filter(status=OfferStatus.DUE) if value else queryset


def offers_summary(queryset: QuerySet[Offer], *, labels: dict[str, str] | None = None) -> dict:
    """Counts per target group (every group a citizen is in) and status, with totals. `labels`
    names the groups (the municipality's own too); groups in that order, then any other."""
    statuses = [s.value for s in OfferStatus]
    table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(statuses, 0))
    totals = dict.fromkeys(statuses, 0)
    for groups, status, n in queryset.values_list("groups", "status").annotate(n=Count("id")).order_by():
        totals[status] += n
        for code in groups.strip("|").split("|"):
            table[code][status] += n
    labels = labels or {code: str(label) for code, label in TARGET_GROUP_LABELS.items()}
    order = [code for code in labels if code in table] + sorted(code for code in table if code not in labels)
    rows = [
        {
            "code": code,
            "label": labels.get(code, code),
            "counts": [table[code][s] for s in statuses],
            "total": sum(table[code].values()),
        }
        for code in order
    ]
    return {
        "statuses": [(s, OfferStatus(s).label) for s in statuses],
        "rows": rows,
        "totals": [totals[s] for s in statuses],
        "total": sum(totals.values()),
    }


def backlog_by_birth_month(queryset: QuerySet[Offer]) -> list[int]:
    """Offers still due (not yet invited), by month of birthday (January first)."""
    counts = dict(
        queryset.filter(status=OfferStatus.DUE)
        .annotate(month=ExtractMonth("birth_date"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [counts.get(month, 0) for month in range(1, 13)]


# Labels for people, the codes in columns of their own for scripts (issue 18: no raw codes where a
# person reads).
EXPORT_HEADER = [
    "cpr",
    "fornavn",
    "efternavn",
    "adresse",
    "postnummer",
    "by",
    "telefon",
    "fødselsdato",
    "år",
    "målgrupper",
    "status",
    "invitationsform",
    "fritaget",
    "digital_post_fritaget",
    "målgruppekoder",
    "statuskode",
    "invitationsformkode",
]


def export_rows(queryset: QuerySet[Offer], labels: dict[str, str]):
    statuses, kinds = dict(OfferStatus.choices), dict(InvitationKind.choices)
    for offer in queryset.select_related("citizen").order_by("birth_date", "id").iterator(chunk_size=2000):
        c = offer.citizen
        yield [
            c.cpr_formatted,
            c.first_name,
            c.last_name,
            c.address,
            c.postal_code,
            c.city,
            c.phone,
            c.birth_date.isoformat(),
            offer.year,
            "; ".join(labels.get(code, code) for code in offer.group_codes),
            str(statuses.get(offer.status, offer.status)),
            str(kinds.get(offer.letter_kind, offer.letter_kind)),
            "ja" if offer.exempt else "nej",
            "ja" if c.digital_post_exempt else "nej",
            "|".join(offer.group_codes),
            offer.status,
            offer.letter_kind,
        ]


def export_csv(queryset: QuerySet[Offer], labels: dict[str, str]) -> bytes:
    return csv_bytes(EXPORT_HEADER, export_rows(queryset, labels))


def export_xlsx(queryset: QuerySet[Offer], labels: dict[str, str]) -> bytes:
    return xlsx_bytes("Målgrupper", EXPORT_HEADER, export_rows(queryset, labels))
