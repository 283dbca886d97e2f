"""A synthetic demo municipality: staff, districts and ~20,000 citizens aged 60-105 with a realistic
age, sex, household and § 83 care mix, risk events and this year's quality standard.

All people are invented. The citizens and risk events go through the same import services as a
real registry extract, so the demo exercises the real path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from dataclasses import dataclass

from django.db import transaction

from . import cpr as cprlib
from . import hooks
from .models import Citizen, District, Municipality, Role, Team, User
from .offers import offers_sync
from .registry import citizens_import, quality_standard_import, risk_events_import

DEMO_MUNICIPALITY = "740"
DEMO_PASSWORD = "fhb-demo-2026"
# Active in the demo's quality standard; caregiver_burden is the municipality's own group.
DEMO_RISK_GROUPS = [
    "widowed",
    "spouse_nursing_home",
    "spouse_seriously_ill",
    "newcomer",
    "hospital_discharge",
    "lonely",
    "concern_referral",
    "self_referral",
    "caregiver_burden",
]
DISTRICTS = {
    "Silkeborg By": ["8600"],
    "Nord": ["8620", "8632", "7442"],
    "Øst": ["8680", "8883", "8641"],
    "Syd": ["8653", "8654", "8643"],
}
CITIES = {
    "8600": "Silkeborg",
    "8620": "Kjellerup",
    "8632": "Lemming",
    "7442": "Engesvang",
    "8680": "Ry",
    "8883": "Gjern",
    "8641": "Sorring",
    "8653": "Them",
    "8654": "Bryrup",
    "8643": "Ans By",
}
POSTAL_WEIGHTS = {
    "8600": 45,
    "8620": 9,
    "8632": 2,
    "7442": 3,
    "8680": 12,
    "8883": 4,
    "8641": 3,
    "8653": 7,
    "8654": 3,
    "8643": 3,
}
STAFF = [
    ("konsulent1", "Mette", "Kristensen", Role.CONSULTANT, "Sygeplejerske"),
    ("konsulent2", "Jonas", "Holm", Role.CONSULTANT, "Fysioterapeut"),
    ("konsulent3", "Aisha", "Rahimi", Role.CONSULTANT, "Ergoterapeut"),
    ("teamleder", "Birgitte", "Lund", Role.TEAM_LEADER, "Teamleder"),
    ("admin", "Henrik", "Bach", Role.MUNICIPALITY_ADMIN, "Systemadministrator"),
]
FEMALE = [
    "Anna",
    "Birthe",
    "Bente",
    "Lis",
    "Hanne",
    "Inger",
    "Kirsten",
    "Karen",
    "Grethe",
    "Ruth",
    "Else",
    "Ellen",
    "Jytte",
    "Lone",
    "Susanne",
    "Marianne",
    "Jette",
    "Ingrid",
    "Tove",
    "Aase",
    "Gudrun",
    "Dorthe",
    "Lene",
    "Vibeke",
    "Merete",
    "Edith",
    "Ida",
    "Gerda",
    "Agnes",
    "Rigmor",
]
MALE = [
    "Jens",
    "Peter",
    "Niels",
    "Hans",
    "Poul",
    "Jørgen",
    "Henning",
    "Erik",
    "Knud",
    "Ole",
    "Bent",
    "Per",
    "Leif",
    "Svend",
    "Kurt",
    "Finn",
    "Arne",
    "Carl",
    "Preben",
    "Flemming",
    "Torben",
    "Kaj",
    "Tage",
    "Mogens",
    "Bjarne",
    "Søren",
    "Frede",
    "Aage",
    "Holger",
    "Verner",
]
SURNAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Lund",
    "Holm",
    "Schmidt",
    "Eriksen",
    "Bach",
    "Iversen",
    "Dam",
    "Lauridsen",
    "Vestergaard",
    "Skov",
]
STREETS = [
    "Vestergade",
    "Østergade",
    "Nørregade",
    "Søndergade",
    "Skovvej",
    "Engvej",
    "Bakkevej",
    "Kirkevej",
    "Møllevej",
    "Åvej",
    "Birkevej",
    "Lindevej",
    "Egevej",
    "Granvej",
    "Rosenvænget",
    "Fasanvej",
    "Bøgevej",
    "Mosevej",
    "Vibevej",
    "Solbakken",
    "Hedevej",
    "Stationsvej",
]


def _age_weight(age: int) -> float:
    """Roughly Denmark's population by age from 60 (declines slowly, then steeply after 80)."""
    if age < 75:
        return 1.0 - 0.01 * (age - 60)
    if age < 85:
        return 0.85 - 0.055 * (age - 75)
    return max(0.3 * 0.78 ** (age - 85), 0.002)


def build_registry_csv(*, today: dt.date, count: int, rng: random.Random) -> tuple[str, list[tuple[str, int, dt.date]]]:
    """The registry extract as CSV text, plus (cpr, age, birth date) of each citizen."""
    ages = list(range(60, 106))
    weights = [_age_weight(a) for a in ages]
    postal_codes = list(POSTAL_WEIGHTS)
    postal_weights = list(POSTAL_WEIGHTS.values())
    out = io.StringIO()
    out.write(
        "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size;civil_status;"
        "civil_status_date;personal_care;practical_help;deceased_on;moved_out_on;digital_post_exempt;phone\n"
    )
    people, used = [], set()
    while len(people) < count:
        age = rng.choices(ages, weights)[0]
        birth = today.replace(month=1, day=1) - dt.timedelta(days=365.25 * age + rng.randint(0, 364))
        yy = birth.year % 100
        seventh = rng.choice([0, 1, 2, 3] if birth.year < 1937 else [0, 1, 2, 3, 4, 9])
        female = rng.random() < 0.5 + 0.004 * max(age - 65, 0)  # women outlive men
        serial = f"{seventh}{rng.randint(0, 99):02d}{rng.randrange(0 if female else 1, 10, 2)}"
        number = f"{birth:%d%m}{yy:02d}{serial}"
        if number in used:
            continue
        cpr = cprlib.parse(number)
        assert cpr.birth_date == birth, (number, birth)
        used.add(number)
        alone_p = min(0.22 + 0.016 * max(age - 65, 0), 0.85)
        alone = rng.random() < alone_p
        household = 1 if alone else rng.choices([2, 3, 4], [90, 7, 3])[0]
        if alone:
            civil = rng.choices(["E", "F", "U"], [60 + age, 25, 15])[0]
        else:
            civil = rng.choices(["G", "P", "U"], [94, 2, 4])[0]
        civil_date = ""
        if civil == "E":
            recent = rng.random() < 0.08
            days = rng.randint(0, 400) if recent else rng.randint(400, 365 * 20)
            civil_date = (today - dt.timedelta(days=days)).isoformat()
        elif civil in "GFP":
            civil_date = (birth + dt.timedelta(days=365 * rng.randint(20, 50))).isoformat()
        care_p = 0.01 if age < 70 else min(0.03 * (age - 68), 0.7)
        practical = rng.random() < care_p * 1.4
        personal = rng.random() < care_p
        deceased = ""
        moved = ""
        if rng.random() < 0.01 + 0.0015 * max(age - 75, 0):
            deceased = (today - dt.timedelta(days=rng.randint(1, 300))).isoformat()
        elif rng.random() < 0.006:
            moved = (today - dt.timedelta(days=rng.randint(1, 300))).isoformat()
        postal = rng.choices(postal_codes, postal_weights)[0]
        first = rng.choice(FEMALE if female else MALE)
        last = rng.choice(SURNAMES)
        address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        exempt = int(rng.random() < 0.04 + 0.004 * max(age - 75, 0))
        phone = (
            f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            if rng.random() < 0.9
            else ""
        )
        out.write(
            f"{number[:6]}-{number[6:]};{first};{last};{address};{postal};{CITIES[postal]};{DEMO_MUNICIPALITY};{household};"
            f"{civil};{civil_date};{int(personal)};{int(practical)};{deceased};{moved};{exempt};{phone}\n"
        )
        people.append((number, age, birth))
    return out.getvalue(), people


def build_risk_events_csv(*, today: dt.date, people, rng: random.Random) -> str:
    groups = [g for g in DEMO_RISK_GROUPS if g != "widowed"]  # widowed comes from the civil status
    sources = {
        "concern_referral": "concern_referral",
        "self_referral": "self_referral",
        "hospital_discharge": "registry",
        "newcomer": "registry",
    }
    out = io.StringIO()
    out.write("cpr;risk_group;registered_on;source;note\n")
    for number, age, _birth in people:
        if 64 <= age <= 82 and rng.random() < 0.05:
            group = rng.choice(groups)
            day = today - dt.timedelta(days=rng.randint(0, 540))
            out.write(f"{number};{group};{day.isoformat()};{sources.get(group, 'other')};\n")
    return out.getvalue()


def quality_standard_document(year: int) -> dict:
    return {
        "municipality_code": DEMO_MUNICIPALITY,
        "year": year,
        "exempt_personal_care_and_practical_help": True,
        "risk_window_months": 12,
        "risk_groups": [
            {"code": code, "label": "Pårørende med stor plejebyrde"} if code == "caregiver_burden" else {"code": code}
            for code in DEMO_RISK_GROUPS
        ],
        "invitations": {
            "age_70_living_alone": "open_letter",
            "age_75": "collective_event",
            "age_80": "date_letter",
            "age_82_plus": "date_letter",
            "at_risk_65_81": "date_letter",
        },
    }


# Each consultant's visiting days and districts (Silkeborg town is shared); 9-15, an hour a visit
# and half an hour's travel: four visits a day.
@dataclass
class Demo:
    """What the core has made, for the apps' `demo_seed` hooks to build on."""

    municipality: Municipality
    districts: dict[str, District]
    today: dt.date
    rng: random.Random
    new_population: bool  # the citizens were made just now (a later run leaves them as they are)


@transaction.atomic
def demo_seed(*, today: dt.date, citizens: int = 20_000, seed: int = 79) -> dict:
    """Create (or refresh) the demo municipality. Returns what was made, for the command to print."""
    rng = random.Random(seed)
    municipality = Municipality.objects.get(code=DEMO_MUNICIPALITY)
    municipality.address = "Forebyggelsesteamet\nSøvej 1\n8600 Silkeborg"
    municipality.phone = "89 70 10 00"
    municipality.save()
    districts = {}
    for name, codes in DISTRICTS.items():
        districts[name], _ = District.objects.update_or_create(
            municipality=municipality, name=name, defaults={"postal_codes": codes}
        )
    team, _ = Team.objects.get_or_create(municipality=municipality, name="Forebyggelsesteamet")
    for username, first, last, role, title in STAFF:
        user, created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.role, user.title = first, last, role, title
        user.municipality, user.team = municipality, team
        user.email = f"{username}@demo.invalid"
        user.phone = f"89 70 1{rng.randint(100, 999)}"
        user.is_staff = False  # the Django admin is for the operator's superusers, not for municipal staff
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()

    # The quality standard first: it defines the municipality's own risk group used below.
    quality_standard_import(data=json.dumps(quality_standard_document(today.year)))
    citizen_result = risk_result = None
    # The population is drawn relative to today, so it is made once: a later run (another day)
    # must not move birthdays or add risk events.
    if not municipality.citizens.exists():
        registry, people = build_registry_csv(today=today, count=citizens, rng=rng)
        citizen_result = citizens_import(data=registry)
        # The demo's registry has been kept for years: its first import is dated before last year's
        # visits, so the change history (home help granted after a visit) reads as it would.
        first_import = dt.datetime(today.year - 2, 12, 31, 6, tzinfo=dt.UTC)
        Citizen.history.filter(history_type="+", municipality_id=municipality.pk).update(history_date=first_import)
        risk_result = risk_events_import(data=build_risk_events_csv(today=today, people=people, rng=rng))
    # Last year too: the history of visits imported below moves last year's offers, for the
    # statistics and "how the targeting works" beside this year.
    years = (today.year - 1, today.year, today.year + 1)
    offers = [offers_sync(municipality=municipality, year=y).summary for y in years]
    made = {
        "municipality": municipality,
        "citizens": citizen_result,
        "risk_events": risk_result,
        "offers": offers,
    }
    # The apps above the core add theirs (visits: calendars, visits, the agenda; reports: approvals).
    demo = Demo(
        municipality=municipality, districts=districts, today=today, rng=rng, new_population=citizen_result is not None
    )
    for contribute in hooks.get_hooks("demo_seed"):
        made.update(contribute(demo))
    return made
