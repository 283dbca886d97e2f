"""Screenings as instruments: WHO-5 and T-ILS answered item by item with their own scoring (the
total computed, never added up in the kitchen), the 30-second chair stand with age/sex norms and
gait speed when it is borderline, the three fall questions; a citizen's scores over the years on
their page, for those who may read health data."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from fhb.models import Role
from tests.factories import CitizenFactory, UserFactory
from visits.models import Screening
from visits.screenings import ScreeningError, score_series, screening_read
from visits.services import visit_record

pytestmark = pytest.mark.django_db
BORN = dt.date(1944, 1, 1)  # 82 on the day
DAY = dt.date(2026, 11, 20)


def read(kind, sex="K", **values):
    return screening_read(kind, values, birth_date=BORN, sex=sex, on=DAY)


def who5(*answers):
    return {f"item{i}": a for i, a in enumerate(answers, start=1)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 09:00", tick=False):
        yield


def test_who5_is_scored_from_its_five_items():
    assert read("wellbeing", **who5(5, 4, 4, 3, 4))["values"]["score"] == 80  # (5+4+4+3+4) x 4
    low = read("wellbeing", **who5(1, 1, 2, 1, 1))
    assert low["values"]["score"] == 24 and low["level"] == "red"
    assert read("wellbeing", **who5(3, 2, 2, 3, 2))["level"] == "attention"  # 48
    # A typed total wins only when no item is answered (a paper form); answered items always decide.
    assert read("wellbeing", score=64)["values"] == {"score": 64}
    assert read("wellbeing", score=12, **who5(5, 5, 5, 5, 5))["values"]["score"] == 100
    with pytest.raises(ScreeningError, match="svar på alle 5 spørgsmål") as error:
        read("wellbeing", item1=3, item2=3, item4=3, item5=3)
    assert error.value.measure == "item3"
    with pytest.raises(ScreeningError, match="mellem 0 og 5"):
        read("wellbeing", **who5(6, 1, 1, 1, 1))


def test_tils_is_the_sum_of_its_three_items():
    lonely = read("loneliness", item1=2, item2=2, item3=3)
    assert lonely["values"]["score"] == 7 and lonely["level"] == "attention"
    assert read("loneliness", item1=1, item2=2, item3=2)["level"] == "normal"
    with pytest.raises(ScreeningError, match="svar på alle 3 spørgsmål"):
        read("loneliness", item1=1)


def test_chair_stand_norms_and_the_gait_speed_step():
    # A woman of 82: the normal range starts at 9; 9 or 10 is borderline: gait speed decides.
    assert "ganghastigheden" in read("chair_rise", repetitions=10)["finding"]
    assert read("chair_rise", repetitions=12)["finding"] == ""
    slow = read("chair_rise", repetitions=10, gait_seconds="6,5")  # 4 m in 6.5 s: 0.62 m/s
    assert slow["level"] == "attention" and "0,62 m/s" in slow["finding"]
    below_but_walks = read("chair_rise", repetitions=8, gait_seconds=4)  # 1.00 m/s
    assert below_but_walks["level"] == "normal" and "1,00 m/s" in below_but_walks["finding"]
    assert read("chair_rise", repetitions=8)["level"] == "attention"
    assert read("chair_rise", sex="M", repetitions=9)["level"] == "attention"  # a man of 82: from 10


def test_fall_questions():
    assert read("falls", fallen=0, unsteady=0, worried=0)["level"] == "normal"
    one = read("falls", fallen=0, unsteady=1, worried=0)
    assert one["level"] == "attention" and "faldforebyggelse" in one["finding"]
    assert read("falls", fallen=1, unsteady=1, worried=1)["level"] == "red"
    with pytest.raises(ScreeningError, match="skal udfyldes") as error:
        read("falls", fallen=1, unsteady=0)
    assert error.value.measure == "worried"
    citizen = CitizenFactory(birth_date=BORN, sex="K")
    visit = visit_record(
        citizen=citizen, user=UserFactory(role=Role.CONSULTANT), kind="home_visit", outcome="completed",
        visit_date=DAY, screenings={"falls": {"fallen": 1, "unsteady": 0, "worried": 1}},
    )  # fmt: skip
    assert visit.screenings.get().summary == "faldet: ja, usikker: nej, bekymret: ja"


def test_the_visit_form_takes_who5_item_by_item_and_keeps_the_answers(client):
    citizen = CitizenFactory(birth_date=BORN, sex="K")
    mette = UserFactory(role=Role.CONSULTANT)
    client.force_login(mette)
    url = reverse("visit-create", args=[citizen.pk])
    page = client.get(url).content.decode()
    assert "I de sidste 2 uger har jeg været glad og i godt humør" in page and 'data-item="wellbeing"' in page
    base = {"kind": "home_visit", "outcome": "completed", "visit_date": "2026-11-20", "action": "save"}
    answers = {f"scr__wellbeing__item{i}": str(a) for i, a in enumerate([4, 4, 3, 3], start=1)}
    refused = client.post(url, {**base, **answers})
    body = refused.content.decode()
    assert refused.status_code == 200 and "svar på alle 5 spørgsmål" in body
    kept = re.findall(r'<input type="radio" name="scr__wellbeing__item(\d)" value="(\d)"[^>]*checked', body)
    assert sorted(kept) == [("1", "4"), ("2", "4"), ("3", "3"), ("4", "3")]  # what was chosen is kept
    saved = client.post(url, {**base, **answers, "scr__wellbeing__item5": "2"})
    assert saved.status_code == 302
    screening = Screening.objects.get()
    assert screening.values == {"item1": 4, "item2": 4, "item3": 3, "item4": 3, "item5": 2, "score": 64}
    assert screening.level == "normal"


def test_scores_over_the_years_on_the_citizen_page(client):
    citizen = CitizenFactory(birth_date=BORN, sex="K")
    mette = UserFactory(role=Role.CONSULTANT)
    for day, answers in [(dt.date(2024, 10, 1), (4, 4, 4, 4, 4)), (dt.date(2025, 10, 1), (3, 2, 2, 3, 2)),
                         (DAY, (1, 1, 2, 1, 1))]:  # fmt: skip
        visit_record(
            citizen=citizen, user=mette, kind="home_visit", outcome="completed", visit_date=day,
            screenings={"wellbeing": who5(*answers), "chair_rise": {"repetitions": 11}},
        )  # fmt: skip
    readings = Screening.objects.values_list("visit__visit_date", "kind", "values", "level")
    series = {s.kind.code: s for s in score_series(readings)}
    assert set(series) == {"chair_rise", "wellbeing"}
    points = series["wellbeing"].points
    assert [p.value for p in points] == [80, 48, 24] and [p.level for p in points] == ["normal", "attention", "red"]
    assert points[0].x < points[1].x < points[2].x and points[0].y < points[1].y < points[2].y  # lower is worse
    client.force_login(mette)
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert "Screeninger over tid" in page and 'class="fhb-dot-red"' in page
    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN))  # no health data
    assert "Screeninger over tid" not in client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
