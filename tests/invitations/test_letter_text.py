"""A letter text is text: the fields and a few formatting marks. No admin's text and no citizen's
name can put markup in a letter that makes WeasyPrint fetch a file or a URL, or a script in the
editor's preview."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.template import TemplateSyntaxError
from django.urls import reverse

from fhb import pdf
from invitations import letters
from invitations.models import LetterTemplate

pytestmark = pytest.mark.django_db
ATTACH = '<a rel="attachment" href="file:///etc/passwd">bilag</a>'


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (ATTACH, "<a>"),
        ('<link rel="stylesheet" href="http://127.0.0.1:9/x.css">', "<link>"),
        ('<img src="file:///etc/hostname">', "<img>"),
        ("<script>alert(1)</script>", "<script>"),
        ("<STYLE>p{}</STYLE>", "<style>"),
    ],
)
def test_saving_refuses_markup_beyond_formatting(text, named):
    with pytest.raises(TemplateSyntaxError, match=named):
        letters.check_template(f"Kære {{{{ fornavn }}}} {text}")


def test_formatting_marks_are_allowed():
    letters.check_template("Kære {{ fornavn }}\n\n<strong>Vigtigt:</strong> <em>ring</em><ul><li>a</li></ul>")


def block(body: str, first_name: str = "Karen", subject: str = "Hej {{ fornavn }}") -> str:
    municipality = SimpleNamespace(name="Silkeborg Kommune", address="Søvej 1\n8600 Silkeborg", phone="89 70 10 00")
    citizen = SimpleNamespace(
        first_name=first_name, last_name="Eksempel", address="Eksempelvej 12", postal_code="8600", city="Silkeborg"
    )
    fields = letters.fields_for(citizen=citizen, municipality=municipality)
    return letters.letter_block(
        anchor="letter-1", subject=subject, body=body, fields=fields, recipient=citizen,
        municipality=municipality, letter_date=dt.date(2026, 12, 1),
    )  # fmt: skip


def test_a_stored_text_with_markup_renders_as_text_and_fetches_nothing():
    """A text stored before the check (or by any other way in) is cleaned when it is rendered."""
    html = block(f"Kære {{{{ fornavn }}}}\n\n{ATTACH} <strong onclick='x()'>Husk</strong>", subject="<img src=x>Hej")
    assert "bilag" in html and "etc/passwd" not in html and "<a " not in html
    assert "<strong>Husk</strong>" in html and "onclick" not in html and "<img" not in html
    data = pdf.html_to_pdf(letters.document([html]))
    assert b"/EmbeddedFile" not in data and b"/Filespec" not in data


def test_a_citizens_name_is_text():
    html = block("Kære {{ fornavn }}", first_name='<a rel="attachment" href="file:///etc/passwd">Karen</a>')
    assert "&lt;a rel=" in html and '<a rel="attachment"' not in html


def test_the_preview_shows_no_script(client, admin_user, copenhagen):
    client.force_login(admin_user)
    url = reverse("letter-template-edit", args=["open_letter"])
    response = client.post(
        url, {"subject": "Hej", "body": "Kære {{ fornavn }} <script>alert(1)</script>", "action": "preview"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "alert(1)" not in page.split('class="fhb-letter-preview"')[1]
    saved = client.post(url, {"subject": "Hej", "body": f"Kære {{{{ fornavn }}}} {ATTACH}", "action": "save"})
    assert "&lt;a&gt; er ikke tilladt i en brevtekst" in saved.content.decode()
    assert not LetterTemplate.objects.exists()


@pytest.mark.parametrize(
    ("letter_date", "basis"),
    [
        (dt.date(2025, 6, 30), "Forebyggende hjemmebesøg efter servicelovens § 79 a"),
        (dt.date(2025, 7, 1), "Forebyggende hjemmebesøg efter ældrelovens § 4"),
        (dt.date(2027, 1, 4), "Forebyggende hjemmebesøg efter ældrelovens § 4"),
    ],
)
def test_the_letter_names_the_law_in_force_on_its_date(letter_date, basis):
    municipality = SimpleNamespace(name="Silkeborg Kommune", address="", phone="")
    citizen = SimpleNamespace(first_name="Karen", last_name="Eksempel", address="Vej 1", postal_code="8600", city="X")
    html = letters.letter_block(
        anchor="l", subject="Hej", body="Kære {{ fornavn }}", recipient=citizen, municipality=municipality,
        fields=letters.fields_for(citizen=citizen, municipality=municipality), letter_date=letter_date,
    )  # fmt: skip
    assert basis in html and html.count("§") == 1


@time_machine.travel("2026-11-10 10:00 +0100", tick=False)
def test_a_target_group_has_a_text_of_its_own(client, admin_user, copenhagen):
    from fhb.models import QualityStandard

    QualityStandard.objects.create(
        municipality=copenhagen,
        year=2027,
        target_groups=[
            {"code": "widowed_65_89", "label": "Mistet ægtefælle", "age": {"from": 65, "to": 89},
             "risk_groups": ["widowed"], "invitation": "open_letter"},
        ],
    )  # fmt: skip
    client.force_login(admin_user)
    listing = client.get(reverse("letter-templates")).content.decode()
    assert "Mistet ægtefælle" in listing and "?gruppe=widowed_65_89" in listing and "Fylder 80" not in listing
    url = reverse("letter-template-edit", args=["open_letter"]) + "?gruppe=widowed_65_89"
    page = client.get(url).content.decode()
    assert "Åbent brev: Mistet ægtefælle" in page and "Kommunen tilbyder dig et forebyggende hjemmebesøg" in page
    saved = client.post(url, {"subject": "Vi tænker på dig", "body": "Kære {{ fornavn }}", "action": "save"})
    assert saved.status_code == 302
    assert LetterTemplate.objects.get().group == "widowed_65_89"
    assert letters.template_for(copenhagen, "open_letter", "widowed_65_89")[0] == "Vi tænker på dig"
    assert letters.template_for(copenhagen, "open_letter", "age_80") == letters.DEFAULTS["open_letter"]
    assert "alle på din alder" not in letters.DEFAULTS["open_letter"][1]
    unknown = reverse("letter-template-edit", args=["open_letter"]) + "?gruppe=no_such_group"
    assert client.get(unknown).status_code == 404
