"""Letter text and layout.

The municipality writes the text (LetterTemplate: a heading and a body with fields such as
{{ fornavn }} or {{ dato }}); the product owns the layout: A4, the municipality's letterhead, the
address in the window of a C5/C65 window envelope (left window, 20 mm from the left, 50 mm from the
top), the date, the consultant and how to move or decline. The body is rendered by a Django
template engine with the default filters and a safe subset of the tags, and only plain values in
its context, so an admin's template cannot reach the database or the server. The text is text:
besides the fields, only a few formatting marks (<strong>, <em>, <u>, lists) are kept, without
attributes — no link, image, style or script — checked when it is saved and cleaned with nh3 when
it is rendered, so neither an admin's text nor a citizen's name can make WeasyPrint fetch anything
(and fhb.pdf lets it fetch nothing anyway).

WeasyPrint is fastest when many letters are one document (fonts are subset once): `letters_html`
makes one HTML document of many letters, each starting on a new page with an anchor the splitter
finds them by.
"""

from __future__ import annotations

import datetime as dt
import re

import nh3
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from fhb.law import legal_basis_on
from fhb.models import InvitationKind, Municipality

from .models import LetterTemplate

SAFE_TAGS = {"if", "for", "with", "firstof", "now", "spaceless", "comment", "verbatim", "templatetag", "filter"}


def _engine() -> Engine:
    """Django's template language without the tags that reach outside the letter ({% debug %},
    {% include %}, {% load %}, {% url %}, ...): the default filters and the safe tags only."""
    engine = Engine(libraries={}, autoescape=True, debug=False)
    library = Library()
    library.filters = dict(defaultfilters.register.filters)
    library.tags = {name: tag for name, tag in defaulttags.register.tags.items() if name in SAFE_TAGS}
    engine.template_builtins = [library]
    return engine


ENGINE = _engine()

FIELDS = {
    "fornavn": "Borgerens fornavn",
    "navn": "Borgerens fulde navn",
    "dato": "Besøgets dato, fx tirsdag den 9. december 2026 (datobreve)",
    "tid": "Besøgets klokkeslæt, fx 10.30 (datobreve)",
    "konsulent": "Konsulentens navn",
    "konsulent_telefon": "Konsulentens direkte telefon",
    "kommune": "Kommunens navn",
    "kommune_telefon": "Kommunens telefon",
    "arrangement": "Arrangementets titel (invitation til arrangement)",
    "sted": "Arrangementets sted",
}

DEFAULTS = {
    InvitationKind.DATE_LETTER: (
        "Vi kommer gerne på besøg {{ dato }} kl. {{ tid }}",
        """Kære {{ fornavn }}

Kommunen tilbyder dig et forebyggende hjemmebesøg. Det er en samtale om, hvordan du har det, og hvad der kan hjælpe dig til et godt hverdagsliv. Besøget er gratis, og du bestemmer selv, hvad vi taler om.

Vi har sat tid af til dig {{ dato }} kl. {{ tid }}. Besøget tager omkring en time. Det er {{ konsulent }}, der kommer.

Passer tiden ikke, eller vil du ikke have besøget, så ring til {{ konsulent }} på {{ konsulent_telefon }}. Så finder vi en ny tid, eller vi aflyser. Du behøver ikke gøre noget, hvis tiden passer.

Du må gerne have en pårørende med.

Venlig hilsen
{{ konsulent }}
Forebyggende hjemmebesøg, {{ kommune }}""",
    ),
    InvitationKind.OPEN_LETTER: (
        "Tilbud om et forebyggende hjemmebesøg",
        """Kære {{ fornavn }}

Kommunen tilbyder dig et forebyggende hjemmebesøg. Det er en samtale om, hvordan du har det, og hvad der kan hjælpe dig til et godt hverdagsliv. Besøget er gratis, og du bestemmer selv, hvad vi taler om.

Vil du have et besøg, så ring til os på {{ kommune_telefon }}. Så finder vi en tid, der passer dig.

Du må gerne have en pårørende med.

Venlig hilsen
Forebyggende hjemmebesøg, {{ kommune }}""",
    ),
    InvitationKind.COLLECTIVE_EVENT: (
        "Invitation: {{ arrangement }} {{ dato }}",
        """Kære {{ fornavn }}

Kommunen inviterer dig til {{ arrangement }} {{ dato }} kl. {{ tid }} i {{ sted }}. Der er kaffe, et kort oplæg og tid til at tale med andre og med os.

Vil du hellere have et besøg hjemme hos dig selv, så ring til os på {{ kommune_telefon }}. Det har du ret til.

Tilmeld dig på {{ kommune_telefon }}.

Venlig hilsen
Forebyggende hjemmebesøg, {{ kommune }}""",
    ),
}

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip


def danish_date(day: dt.date, *, weekday: bool = True) -> str:
    text = f"den {day.day}. {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


# The formatting a letter text may use; everything else is text.
FORMATTING_TAGS = frozenset({"strong", "em", "b", "i", "u", "ul", "ol", "li", "p", "br"})
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def check_template(text: str) -> None:
    """Raise TemplateSyntaxError (with the reason) for a template that cannot render, or that uses
    HTML beyond the formatting marks."""
    ENGINE.from_string(text)
    refused = sorted({m.lower() for m in _TAG.findall(text)} - FORMATTING_TAGS)
    if refused:
        shown = ", ".join(f"<{tag}>" for tag in refused)
        raise TemplateSyntaxError(
            f"{shown} er ikke tilladt i en brevtekst. Brug almindelig tekst, felterne og højst "
            "<strong>, <em>, <u> og lister (<ul>, <ol>, <li>)."
        )


def clean_body(html: str) -> str:
    """The formatting marks, without attributes; any other markup goes, its text stays."""
    return nh3.clean(html, tags=set(FORMATTING_TAGS), attributes={}, url_schemes=set(), link_rel=None)


def clean_line(html: str) -> str:
    """Text only (a heading): every tag goes, the text is escaped."""
    return nh3.clean(html, tags=set(), attributes={}, url_schemes=set(), link_rel=None)


def render_text(text: str, fields: dict) -> str:
    try:
        return ENGINE.from_string(text).render(Context(fields))
    except TemplateSyntaxError as exc:
        return escape(f"[Fejl i brevskabelonen: {exc}]")


def template_for(municipality: Municipality, kind: str, group: str = "") -> tuple[str, str]:
    """(heading, body) of a letter kind for a target group: the municipality's text for the group,
    else its text for the kind, else the product's."""
    return templates_for(municipality)(kind, group)


def templates_for(municipality: Municipality):
    """The municipality's texts read once: a function (kind, group) -> (heading, body)."""
    own = {
        (kind, group): (subject, body)
        for kind, group, subject, body in LetterTemplate.objects.filter(municipality=municipality).values_list(
            "kind", "group", "subject", "body"
        )
    }

    def text(kind: str, group: str = "") -> tuple[str, str]:
        return own.get((kind, group)) or own.get((kind, "")) or DEFAULTS[kind]

    return text


def fields_for(*, citizen, municipality, consultant=None, starts_at=None, event=None) -> dict:
    fields = {
        "fornavn": citizen.first_name,
        "navn": f"{citizen.first_name} {citizen.last_name}",
        "kommune": municipality.name,
        "kommune_telefon": municipality.phone or "",
        "konsulent": "",
        "konsulent_telefon": "",
        "dato": "",
        "tid": "",
        "arrangement": "",
        "sted": "",
    }
    if consultant is not None:
        fields["konsulent"] = consultant.get_full_name() or consultant.username
        fields["konsulent_telefon"] = consultant.phone or municipality.phone or ""
    if starts_at is not None:
        local = timezone.localtime(starts_at)
        fields["dato"] = danish_date(local.date())
        fields["tid"] = f"{local:%H.%M}"
    if event is not None:
        fields["arrangement"] = event.title
        fields["sted"] = event.venue
        fields["dato"] = danish_date(event.date)
        fields["tid"] = f"{event.starts_at:%H.%M}"
    return fields


def letter_block(
    *, anchor: str, subject: str, body: str, fields: dict, recipient, municipality, letter_date
) -> SafeString:
    """One letter's HTML (a page of its own). Built from escaped values and the cleaned text only,
    so it is safe to show as HTML (the editor's preview) and to render (WeasyPrint)."""
    body_html = clean_body(linebreaks(render_text(body, fields), autoescape=False))
    address = "<br>".join(
        escape(line)
        for line in (
            f"{recipient.first_name} {recipient.last_name}",
            recipient.address,
            f"{recipient.postal_code} {recipient.city}",
        )
    )
    sender = "<br>".join(escape(line) for line in (municipality.address or municipality.name).splitlines())
    contact = ""
    if fields.get("konsulent"):
        contact = (
            f"<p><strong>Din kontaktperson</strong><br>{escape(fields['konsulent'])}<br>"
            f"Direkte telefon {escape(fields['konsulent_telefon'])}</p>"
        )
    return mark_safe(f"""<section class="letter" id="{escape(anchor)}">
<header class="head"><div class="logo">{escape(municipality.name)}</div>
<div class="sender">{sender}<br>Telefon {escape(municipality.phone or "")}</div></header>
<div class="window"><div class="return">{escape(municipality.name)} · Forebyggende hjemmebesøg</div>{address}</div>
<aside class="meta"><p>{danish_date(letter_date, weekday=False).capitalize()}</p>{contact}</aside>
<h1>{clean_line(render_text(subject, fields))}</h1>
<div class="body">{body_html}</div>
<footer>Forebyggende hjemmebesøg efter {legal_basis_on(letter_date)[1]} · {escape(municipality.name)}</footer>
</section>""")


LETTER_CSS = """
@page { size: A4; margin: 0; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; line-height: 1.45; color: #1a1a1a; margin: 0; }
.letter { position: relative; height: 297mm; padding: 0 20mm 0 20mm; page-break-after: always; box-sizing: border-box; }
.letter:last-child { page-break-after: auto; }
.head { position: absolute; top: 12mm; left: 20mm; right: 20mm; height: 24mm; border-bottom: 0.6mm solid #004993; }
.logo { font-size: 18pt; font-weight: bold; color: #004993; }
.sender { position: absolute; right: 0; top: 0; text-align: right; font-size: 8.5pt; color: #444; }
.window { position: absolute; top: 50mm; left: 20mm; width: 85mm; height: 40mm; font-size: 11pt; }
.return { font-size: 7pt; color: #555; border-bottom: 0.2mm solid #999; margin-bottom: 2mm; }
.meta { position: absolute; top: 50mm; left: 125mm; width: 65mm; font-size: 9.5pt; }
h1 { position: relative; padding-top: 100mm; font-size: 15pt; margin: 0 0 5mm 0; color: #004993; }
.body p { margin: 0 0 3.2mm 0; }
footer { position: absolute; bottom: 10mm; left: 20mm; right: 20mm; font-size: 8pt; color: #555;
  border-top: 0.2mm solid #999; padding-top: 2mm; }
"""


def document(blocks: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Breve</title>'
        f"<style>{LETTER_CSS}</style></head><body>{''.join(blocks)}</body></html>"
    )
