"""Every PDF fhb makes (letters, the approval report, the council report) is rendered here.

- **Nothing is fetched.** The documents carry their styles and charts inline; WeasyPrint may read
  `data:` URLs and nothing else, so no text in a document (a letter text, a citizen's name) can
  make it read a file or call a server.
- **The same document gives the same bytes**, on either of WeasyPrint's font paths. With
  HarfBuzz's subsetter (libharfbuzz-subset) the subset fonts carry no time; without it, WeasyPrint
  subsets with fontTools, which stamps each font's `head.modified` with the current time unless
  SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it. Fixed here for the process.
"""

from __future__ import annotations

import os

# fontTools reads it at every save: set before any PDF is made, for the whole process.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")


def url_fetcher():
    """WeasyPrint's own fetcher, allowed `data:` URLs only."""
    from weasyprint.urls import URLFetcher  # no cycle: WeasyPrint (~1 s to load) only where PDFs are made

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)


def document(html: str):
    """The laid-out document (pages and anchors), for callers that split it."""
    from weasyprint import HTML  # no cycle: WeasyPrint (~1 s to load) only where PDFs are made

    return HTML(string=html, url_fetcher=url_fetcher()).render()


def html_to_pdf(html: str) -> bytes:
    return document(html).write_pdf()
