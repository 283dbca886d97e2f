"""The English catalogue is complete and the compiled file matches it (a string marked for
translation but left out, or a .po edited without `make messages`, shows Danish in the English UI)."""

import gettext
from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "fhb" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_english_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    polib.pofile(str(PO)).save_as_mofile(str(fresh))
    with open(fresh, "rb") as expected, open(PO.with_suffix(".mo"), "rb") as committed:
        have, want = gettext.GNUTranslations(committed)._catalog, gettext.GNUTranslations(expected)._catalog
    have.pop("", None), want.pop("", None)  # the header (creation dates)
    assert have == want, "django.mo is stale: run `make messages`"


def test_letter_pages_speak_english(client, team_leader, copenhagen):
    client.force_login(team_leader)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/breve/").content.decode()
    assert "Plan a letter batch" in page
    assert "Planlæg brevrunde" not in page
