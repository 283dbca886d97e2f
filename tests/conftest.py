import pytest
import time_machine

from fhb.models import Role
from tests.factories import CitizenFactory, UserFactory, municipality

# A naive time in a test ("2026-11-23 07:00") is UTC, whatever zone the process is in.
time_machine.naive_mode = time_machine.NaiveMode.UTC


@pytest.fixture(autouse=True)
def danish():
    """Each test starts in Danish: a test that switched to English must not leak into the next."""
    from django.utils import translation

    with translation.override("da"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a year's figures cached by one test (reports.figures)
    must not be read by the next, whose rows the versions cannot know of (fixtures bulk-create)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def copenhagen(db):
    return municipality("101")


@pytest.fixture
def frederiksberg(db):
    return municipality("147")


@pytest.fixture
def consultant(db):
    return UserFactory(role=Role.CONSULTANT)


@pytest.fixture
def team_leader(db):
    return UserFactory(role=Role.TEAM_LEADER)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.MUNICIPALITY_ADMIN)


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def other_citizen(db, frederiksberg):
    """A citizen of another municipality (Frederiksberg, 147)."""
    return CitizenFactory(municipality=frederiksberg, first_name="Anden", last_name="Frederiksbergborger")
