"""The approval report a municipality signs off before DST publishes: the delivery's summary as
suppressed tables and charts. The web page and the PDF render the same context."""

from __future__ import annotations

import threading

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from fhb.law import TARGET_GROUP_LABELS
from fhb.models import Municipality
from fhb.pdf import html_to_pdf
from fhb.selectors import target_group_labels, year_legal_basis

from . import charts
from .dst import EXCLUSION_REASONS, NO_GROUP
from .suppression import THRESHOLD, suppress_cell, suppress_table

MONTH_LABELS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _labels(group_names: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    names = group_names or {k: str(v) for k, v in TARGET_GROUP_LABELS.items()}
    return {
        "group": {**names, NO_GROUP: _("Ingen målgruppe")},
        "sex": {"F": _("Kvinder"), "M": _("Mænd")},
        "form": {"individuelt": _("Individuelt"), "kollektivt": _("Kollektivt")},
        "criterion": {
            "all_months_present": _("Data for alle 12 måneder"),
            "min_citizens_per_month": _("Ingen måned med under 5 borgere"),
            "max_one_large_change": _("Højst én ændring over 40 % fra måned til måned"),
        },
    }


def report_names(municipality_id: int | None, year: int) -> dict:
    """What the report names from the database: what the year's groups rest on, and the groups'
    names (the municipality's own too)."""
    return {"legal_basis": year_legal_basis(municipality_id, year), "groups": target_group_labels(municipality_id)}


def approval_context(summary: dict, *, names: dict | None = None) -> dict:
    """The report's context. `names` (report_names) is looked up when not given; the delivery's
    rendering thread is given them, and reads nothing from the database."""
    if names is None:
        municipality_id = (
            Municipality.objects.filter(code=summary.get("kommunekode")).values_list("pk", flat=True).first()
        )
        names = report_names(municipality_id, summary["year"])
    legal_basis = names["legal_basis"]
    labels = _labels(names["groups"])
    year = summary["year"]
    persons, visits = summary["citizens"], summary["visits"]
    month_keys = list(summary["by_month"])
    tables = {
        "month": suppress_table(
            _("Besøg og borgere pr. måned"),
            summary["by_month"],
            dict(zip(month_keys, [f"{m} {year}" for m in MONTH_LABELS], strict=True)),
            persons=persons,
            visits=visits,
        ),
        "group": suppress_table(
            _("Målgruppe"), summary["by_target_group"], labels["group"], persons=persons, visits=visits
        ),
        "aed10": suppress_table(
            _("Alder på besøgsdagen (Danmarks Statistiks AED10-grupper)"),
            summary["by_age_band_aed10"],
            {},
            persons=persons,
            visits=visits,
        ),
        "band": suppress_table(
            _("Alder på besøgsdagen (5-års grupper)"), summary["by_age_band"], {}, persons=persons, visits=visits
        ),
        "sex": suppress_table(_("Køn"), summary["by_sex"], labels["sex"], persons=persons, visits=visits),
        "form": suppress_table(
            _("Mødeform"), summary["by_meeting_form"], labels["form"], persons=persons, visits=visits
        ),
    }
    uptake = []
    for code, cell in summary["uptake"].items():
        recipients, eligible = suppress_cell(cell["recipients"]), suppress_cell(cell["eligible"])
        rate = cell["rate"] if recipients is not None and eligible is not None else None
        uptake.append(
            {
                "label": labels["group"].get(code, code),
                "recipients": recipients,
                "eligible": eligible,
                "rate": rate,
                "national": cell["national_2021"],
            }
        )
    month_table = tables["month"]
    chart_months = charts.bar_chart(
        _("Besøg og borgere pr. måned"),
        list(MONTH_LABELS),
        [
            charts.Series(_("Besøg"), tuple(r.visits for r in month_table.rows), charts.PALETTE[0]),
            charts.Series(_("Borgere"), tuple(r.persons for r in month_table.rows), charts.PALETTE[1]),
        ],
    )
    aed = tables["aed10"]
    chart_age = charts.bar_chart(
        _("Borgere efter alder på besøgsdagen"),
        [r.label for r in aed.rows],
        [charts.Series(_("Borgere"), tuple(r.persons for r in aed.rows), charts.PALETTE[0])],
        width=420,
    )
    chart_uptake = charts.bar_chart(
        _("Modtagere i forhold til målgruppen"),
        [u["label"] for u in uptake],
        [
            charts.Series(_("Kommunen"), tuple(u["rate"] for u in uptake), charts.PALETTE[0]),
            charts.Series(_("Landsplan 2021"), tuple(u["national"] for u in uptake), charts.PALETTE[5]),
        ],
        percent=True,
    )
    quality = summary["quality"]
    criteria = [{**c, "label": labels["criterion"].get(c["code"], c["code"])} for c in quality["criteria"]]
    return {
        "summary": summary,
        "year": year,
        # What the year's target groups rest on: § 79 a until 2025, Ældreloven § 4 from 2026.
        "legal_basis": legal_basis,
        "persons": suppress_cell(persons),
        "visits": suppress_cell(visits),
        "tables": tables,
        "table_list": [tables[k] for k in ("month", "group", "aed10", "band", "sex", "form")],
        "uptake": uptake,
        "chart_months": chart_months,
        "chart_age": chart_age,
        "chart_uptake": chart_uptake,
        "quality": quality,
        "criteria": criteria,
        "threshold": THRESHOLD,
        "excluded_by_reason": summary["excluded_by_reason"],
        "reason_labels": reason_labels(),
    }


def reason_labels() -> dict[str, str]:
    return {code: _(text) for code, text in EXCLUSION_REASONS.items()}


_WARM_UP_HTML = (
    "<p style=\"font: 9.5pt 'DejaVu Sans', sans-serif\">Forebyggende <b>hjemmebesøg</b></p>"
    '<svg width="10" height="10"><rect width="5" height="5"/></svg>'
)


def warm_up() -> threading.Thread:
    """Load WeasyPrint in a thread of its own: its import and its first document (fonts, Pango)
    take about 0.7 s, which a delivery otherwise spends after the export. Started before the
    export, the work overlaps the time the export waits on the database; join the thread before
    rendering."""

    def load() -> None:
        html_to_pdf(_WARM_UP_HTML)

    thread = threading.Thread(target=load, name="fhb-weasyprint-warm-up", daemon=True)
    thread.start()
    return thread


def approval_pdf(summary: dict, *, names: dict | None = None) -> bytes:
    """The report as an A4 PDF (WeasyPrint), in Danish. No dates from the clock: the same summary
    gives the same bytes."""
    with translation.override("da"):  # a Danish document, whatever the language of who asked for it
        html = render_to_string("reports/approval_pdf.html", approval_context(summary, names=names))
    return html_to_pdf(html)
