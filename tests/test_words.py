"""Words (issue 18): dates in Danish text are Django's `date` filter with the Danish locale, whole
month names — no three-letter English-looking abbreviations ("1. Jan–31. Jan 2027", "fre 1. Jan")."""

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ABBREVIATED = re.compile(r'\|date:"[^"]*(?<!\\)\b[MbN]\b[^"]*"')


def test_no_template_abbreviates_a_month():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in ABBREVIATED.finditer(path.read_text())
    ]
    assert not found, found


def test_a_period_reads_in_danish():
    import datetime as dt

    text = Template('{{ s|date:"j. F" }}–{{ e|date:"j. F Y" }}, {{ t|date:"D j. F H:i" }}')
    context = Context({"s": dt.date(2027, 1, 1), "e": dt.date(2027, 1, 31), "t": dt.datetime(2027, 1, 1, 9)})
    with translation.override("da"):
        assert text.render(context) == "1. januar–31. januar 2027, fre 1. januar 09:00"


def test_one_label_per_target_group():
    """The batch form names a group as the due list, the dashboard and the statistics do (no
    "82 år og ældre" beside "82 år og derover")."""
    from fhb.law import TARGET_GROUP_LABELS
    from invitations.forms import group_choices

    for year in (2012, 2017, 2024, 2025):
        for code, label in group_choices(year):
            assert str(label) == str(TARGET_GROUP_LABELS[code]), (year, code)
    python = [p for p in Path(__file__).resolve().parent.parent.glob("*/**/*.py") if ".venv" not in p.parts]
    for path in python:
        if "tests" in path.parts or "locale" in path.parts:
            continue
        text = path.read_text()
        assert "82 år og ældre" not in text and "70-årige, der bor alene" not in text, path


def test_counts_in_sentences_have_thousands_separators():
    """Counts read "1.234 borgere", also where the plural is chosen by the count."""
    template = Template(
        "{% load i18n fhb %}{% blocktranslate count n=count with shown=count|num %}{{ shown }} borger{% plural %}"
        "{{ shown }} borgere{% endblocktranslate %}"
    )
    with translation.override("da"):
        assert template.render(Context({"count": 1234})) == "1.234 borgere"
        assert template.render(Context({"count": 1})) == "1 borger"
    with translation.override("en"):
        assert template.render(Context({"count": 5000})) == "5,000 citizens"
    sources = [p for p in TEMPLATES.rglob("*.html")]
    unformatted = [
        f"{p.relative_to(TEMPLATES)}"
        for p in sources
        if re.search(r"count n=page\.paginator\.count %\}\{\{ n \}\}", p.read_text())
    ]
    assert not unformatted, unformatted
