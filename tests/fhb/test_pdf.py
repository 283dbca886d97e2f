"""fhb.pdf: the same document gives the same bytes on both of WeasyPrint's font paths and on any
day, and a document can make WeasyPrint fetch nothing."""

import os

import pytest
import time_machine

from fhb import pdf

HTML = "<p style=\"font: 10pt 'DejaVu Sans', sans-serif\">Forebyggende hjemmebesøg — Æblevej 4, 8000 Århus</p>"


@pytest.fixture
def fonttools_path(monkeypatch):
    """WeasyPrint as on a machine without HarfBuzz's subsetter (libharfbuzz-subset)."""
    import weasyprint.pdf.fonts

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)


def rendered_on(day: str) -> bytes:
    with time_machine.travel(day, tick=False):
        return pdf.html_to_pdf(HTML)


def test_same_bytes_on_any_day_with_fonttools(fonttools_path, monkeypatch):
    assert rendered_on("2026-12-31 23:59") == rendered_on("2028-02-29 08:00")
    # The cause, shown: without SOURCE_DATE_EPOCH fontTools stamps the subset font with the time.
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert rendered_on("2026-12-31 23:59") != rendered_on("2028-02-29 08:00")


def test_same_bytes_on_any_day_with_harfbuzz():
    assert rendered_on("2026-12-31 23:59") == rendered_on("2028-02-29 08:00")


def test_the_process_has_a_fixed_source_date_epoch():
    assert os.environ["SOURCE_DATE_EPOCH"]


@pytest.mark.parametrize(
    "markup",
    [
        '<a rel="attachment" href="file:///etc/passwd">bilag</a>',
        '<link rel="attachment" href="file:///proc/self/environ">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="file:///etc/hostname">',
        '<img src="http://127.0.0.1:9/pixel.png">',
        "<style>@import url(http://127.0.0.1:9/x.css); p { background: url(file:///etc/passwd) }</style>",
    ],
)
def test_nothing_outside_the_document_is_read(markup):
    data = pdf.html_to_pdf(f"<html><head></head><body>{markup}<p>Brev</p></body></html>")
    assert b"/EmbeddedFile" not in data and b"/Filespec" not in data
    assert b"/Image" not in data


def test_data_urls_still_work():
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
        "AAAABJRU5ErkJggg=="
    )
    assert b"/Image" in pdf.html_to_pdf(f'<img src="{pixel}">')
