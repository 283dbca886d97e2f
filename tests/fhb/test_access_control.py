"""Roles and the municipality boundary, on every page and endpoint; the access log; CPR kept out
of URLs."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fhb.models import CitizenAccess, ImportJob, Role
from tests.factories import RiskEventFactory, UserFactory


def citizen_urls(citizen):
    return [
        reverse("citizen-detail", args=[citizen.pk]),
        reverse("citizen-accesses", args=[citizen.pk]),
        reverse("api:citizen-detail", args=[citizen.pk]),
    ]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN])
def test_no_page_or_endpoint_shows_another_municipalitys_citizen(client, role, citizen, other_citizen):
    user = UserFactory(role=role)
    client.force_login(user)
    # Another municipality's citizen does not exist for this user (404); the access log is the
    # admin's, so other roles are refused it before any citizen is looked up (403).
    detail, accesses, api_detail = citizen_urls(other_citizen)
    assert client.get(detail).status_code == 404
    assert client.get(accesses).status_code == (404 if role == Role.MUNICIPALITY_ADMIN else 403)
    assert client.get(api_detail).status_code == 404
    event = RiskEventFactory(citizen=other_citizen)
    assert client.get(reverse("api:riskevent-detail", args=[event.pk])).status_code == 404
    listing = client.get(reverse("citizen-list"), {"include_inactive": "on"})
    assert other_citizen.last_name not in listing.content.decode()
    assert citizen.last_name in listing.content.decode()
    api_list = client.get(reverse("api:citizen-list")).json()
    assert [c["id"] for c in api_list["results"]] == [citizen.pk]
    risk_list = client.get(reverse("api:riskevent-list")).json()
    assert risk_list["count"] == 0
    lookup = client.post(reverse("api:citizen-lookup"), {"cpr": other_citizen.cpr}, content_type="application/json")
    assert lookup.status_code == 404
    create = client.post(
        reverse("api:riskevent-list"),
        {"citizen": other_citizen.pk, "risk_group": "lonely", "registered_on": "2026-03-01"},
        content_type="application/json",
    )
    assert create.status_code == 400 and other_citizen.risk_events.count() == 1


def test_search_by_other_municipalitys_cpr_finds_nothing(client, consultant, other_citizen):
    client.force_login(consultant)
    response = client.post(reverse("citizen-list"), {"q": other_citizen.cpr}, follow=True)
    assert "0 borgere" in response.content.decode()


@pytest.mark.parametrize("url_name", ["citizen-list", "import-list"])
def test_anonymous_is_sent_to_the_login_page(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ["api:citizen-list", "api:riskgroup-list"])
def test_anonymous_is_refused_by_the_api(client, db, url_name):
    assert client.get(reverse(url_name)).status_code == 403


def test_user_without_municipality_or_role_sees_nothing(client, db, citizen):
    for user in (UserFactory(municipality=None), UserFactory(role="")):
        client.force_login(user)
        assert client.get(reverse("citizen-list")).status_code == 403
        assert client.get(reverse("citizen-detail", args=[citizen.pk])).status_code == 403
        assert client.get(reverse("api:citizen-list")).status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.CONSULTANT, False), (Role.TEAM_LEADER, False), (Role.MUNICIPALITY_ADMIN, True)]
)
def test_imports_and_access_log_are_for_admins(client, citizen, role, allowed):
    client.force_login(UserFactory(role=role))
    for url in [reverse("import-list"), reverse("citizen-accesses", args=[citizen.pk])]:
        assert (client.get(url).status_code == 200) is allowed, url


def test_import_job_of_another_municipality_is_hidden(client, admin_user, frederiksberg):
    other_admin = UserFactory(role=Role.MUNICIPALITY_ADMIN, municipality=frederiksberg)
    job = ImportJob.objects.create(
        municipality=frederiksberg,
        kind="citizens",
        filename="x.csv",
        uploaded_by=other_admin,
        errors=[{"row": 2, "column": "cpr", "value": "1", "reason": "x"}],
    )
    client.force_login(admin_user)
    assert client.get(reverse("import-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-errors", args=[job.pk])).status_code == 404


def test_detail_views_are_logged_and_visible_to_admin(client, consultant, admin_user, citizen):
    client.force_login(consultant)
    assert client.get(reverse("citizen-detail", args=[citizen.pk])).status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=consultant).key}")
    assert api.get(reverse("api:citizen-detail", args=[citizen.pk])).status_code == 200
    logged = list(
        CitizenAccess.objects.filter(citizen=citizen).values_list("lookup__user__username", "lookup__endpoint")
    )
    assert sorted(logged) == [(consultant.username, "api:citizen-detail"), (consultant.username, "citizen-detail")]
    client.force_login(admin_user)
    page = client.get(reverse("citizen-accesses", args=[citizen.pk])).content.decode()
    assert str(consultant) in page and "API: borger" in page and "api:citizen-detail" not in page
    csv_export = client.get(reverse("citizen-accesses", args=[citizen.pk]), {"format": "csv"})
    assert csv_export["Content-Type"].startswith("text/csv") and "Borgerside" in csv_export.content.decode()


def test_cpr_search_is_posted_and_never_in_a_url(client, consultant, citizen):
    client.force_login(consultant)
    response = client.post(reverse("citizen-list"), {"q": citizen.cpr_formatted})
    assert response.status_code == 302
    assert citizen.cpr not in response.url and citizen.cpr[:6] not in response.url
    page = client.get(response.url)
    assert citizen.last_name in page.content.decode()
    assert CitizenAccess.objects.filter(citizen=citizen, lookup__purpose="CPR-søgning").count() == 1
    # a CPR typed into a GET filter is refused rather than searched
    assert citizen.last_name not in client.get(reverse("citizen-list"), {"name": citizen.cpr}).content.decode()
    api = client.get(reverse("api:citizen-list"), {"name": citizen.cpr})
    assert api.status_code == 400 and "lookup" in api.json()["name"][0]


def test_lists_mask_cpr_detail_shows_it(client, consultant, citizen):
    client.force_login(consultant)
    listing = client.get(reverse("citizen-list")).content.decode()
    assert citizen.cpr_masked in listing and citizen.cpr not in listing and citizen.cpr_formatted not in listing
    api_list = client.get(reverse("api:citizen-list")).json()["results"][0]
    assert api_list["cpr_masked"] == citizen.cpr_masked and "cpr" not in api_list
    assert citizen.cpr_formatted in client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()


def test_history_on_citizen_page_only_for_leaders_and_admins(client, citizen, consultant, team_leader):
    client.force_login(consultant)
    assert "Ændringshistorik" not in client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    client.force_login(team_leader)
    assert "Ændringshistorik" in client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()


def test_login_lockout_after_five_failures(client, db):
    user = UserFactory(username="mette")
    for _ in range(5):
        client.post(reverse("login"), {"username": "mette", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "mette", "password": "a-long-test-password"})
    assert locked.status_code == 429
    assert "spærret" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.pk  # the account itself is untouched


def test_good_logins_to_one_account_never_clear_guesses_at_another(client, db):
    UserFactory(username="teamleder")
    UserFactory(username="konsulent1")
    for _ in range(4):
        client.post(reverse("login"), {"username": "teamleder", "password": "wrong"})
        ok = client.post(reverse("login"), {"username": "konsulent1", "password": "a-long-test-password"})
        assert ok.status_code == 302
        client.logout()
    client.post(reverse("login"), {"username": "teamleder", "password": "wrong"})  # the fifth
    locked = client.post(reverse("login"), {"username": "teamleder", "password": "a-long-test-password"})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session


def test_a_good_login_forgets_the_users_own_mistakes(client, db):
    UserFactory(username="mette")
    for _ in range(4):
        client.post(reverse("login"), {"username": "mette", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "mette", "password": "a-long-test-password"}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post(reverse("login"), {"username": "mette", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "mette", "password": "a-long-test-password"}).status_code == 302


def test_follow_up_descriptions_follow_one_rule_on_the_page_and_in_the_api(client, citizen, admin_user, consultant):
    from visits.models import FollowUp

    FollowUp.objects.create(
        municipality=citizen.municipality, citizen=citizen, kind="gp", description="Blodtryk 170/100 – ring til lægen"
    )
    client.force_login(admin_user)
    page = client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert "Blodtryk 170/100" not in page  # health data, like the journal notes
    assert client.get(reverse("api:followup-list")).status_code == 403
    client.force_login(consultant)
    assert "Blodtryk 170/100" in client.get(reverse("citizen-detail", args=[citizen.pk])).content.decode()
    assert client.get(reverse("api:followup-list")).json()["count"] == 1


def test_a_large_body_is_refused_before_it_is_read(client, admin_user):
    huge = str(202 * 1024 * 1024)
    anonymous = client.post(reverse("import-list"), {"kind": "citizens"}, CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert anonymous.status_code == 403
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 200  # small: as ever
    client.force_login(admin_user)
    assert client.post(reverse("import-list"), {"kind": "citizens"}, CONTENT_LENGTH=huge).status_code == 413
    assert client.post(reverse("import-list"), {"kind": "citizens"}).status_code == 200  # the form, with its error
