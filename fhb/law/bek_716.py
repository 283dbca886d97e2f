"""Bekendtgørelse nr. 716 af 27. juni 2019 om forebyggende hjemmebesøg:

- §§ 1-2: the offer may be given in other formats (e.g. a collective event) instead of an
  individual visit;
- § 2: a citizen who declines the alternative format must be offered an individual visit. fhb
  plans that visit as a date letter: a concrete time, the form that reaches those who tend to say
  no (`individual_letter_kind`);
- § 4: the municipality's annual quality standard (`fhb.models.QualityStandard`).
"""

# Letter kinds (fhb.models.InvitationKind's values).
DATE_LETTER = "date_letter"
COLLECTIVE_EVENT = "collective_event"

# § 2: the letter for a citizen who declined a collective event.
INDIVIDUAL_LETTER = DATE_LETTER


def individual_letter_kind(kind: str, individual_required: bool) -> str:
    """The letter kind a citizen gets: an event invitation becomes the individual visit's letter
    once they have declined an event (§ 2); any other kind stands."""
    if individual_required and kind == COLLECTIVE_EVENT:
        return INDIVIDUAL_LETTER
    return kind
