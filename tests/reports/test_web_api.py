"""The statistics pages, the dashboard and the API: roles, the delivery as a background task with
progress, downloads, month approvals."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from fhb.models import Role
from reports.models import Delivery, MonthApproval
from tests.factories import CitizenFactory, UserFactory
from visits.models import Booking, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_visits(copenhagen):
    citizens = [CitizenFactory(birth_date=dt.date(1945, 1, 1 + i), sex="FM"[i % 2]) for i in range(6)]
    Visit.objects.bulk_create(
        Visit(
            municipality=copenhagen, citizen=c, kind="home_visit", outcome="completed", visit_date=dt.date(2025, m, 10)
        )
        for c in citizens
        for m in range(1, 13)
    )
    return citizens


def test_roles(client, consultant, team_leader, admin_user, year_of_visits):
    client.force_login(consultant)
    assert client.get(reverse("statistics")).status_code == 403
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get("/api/v1/dst-deliveries/").status_code == 403
    client.force_login(team_leader)
    assert client.get(reverse("statistics") + "?aar=2025").status_code == 200
    assert client.post(reverse("delivery-create"), {"aar": "2025"}).status_code == 403
    assert client.post("/api/v1/dst-deliveries/", {"year": 2025}).status_code == 403


@time_machine.travel("2026-02-03 10:00", tick=False)
def test_admin_delivers_from_the_web_page(
    client, admin_user, team_leader, year_of_visits, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    page = client.get(reverse("statistics") + "?aar=2025")
    assert b"Dan indberetning for 2025" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("delivery-create"), {"aar": "2025"})
    delivery = Delivery.objects.get()
    assert response.url == reverse("delivery-detail", args=[delivery.pk])
    assert delivery.status == "done" and delivery.requested_by == admin_user and delivery.source == "web"
    assert (delivery.visits, delivery.citizens, delivery.quality_passed) == (72, 6, True)
    detail = client.get(response.url)
    assert "72 besøg til 6 borgere" in detail.content.decode()
    csv = client.get(reverse("delivery-file", args=[delivery.pk, "csv"]))
    assert csv.content.decode().startswith("kommunekode;cpr;besoegsdato;moedeform;maalgruppe\n101;")
    assert csv["Content-Disposition"] == 'attachment; filename="fhb_101_2025.csv"'
    pdf = client.get(reverse("delivery-file", args=[delivery.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    report = client.get(reverse("approval-report", args=[delivery.pk])).content.decode()
    assert "Godkendelsesrapport" in report and "<svg" in report
    # the team leader reads the report but cannot download the file with every CPR number
    client.force_login(team_leader)
    assert client.get(reverse("delivery-file", args=[delivery.pk, "csv"])).status_code == 404
    assert client.get(reverse("delivery-file", args=[delivery.pk, "summary"])).status_code == 200


def test_progress_while_running(client, admin_user, copenhagen):
    delivery = Delivery.objects.create(
        municipality=copenhagen, year=2025, status="running", rows_done=50, rows_total=200
    )
    client.force_login(admin_user)
    partial = client.get(reverse("delivery-detail", args=[delivery.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'value="25"' in partial


def test_other_municipalities_deliveries_are_not_found(client, admin_user, frederiksberg):
    theirs = Delivery.objects.create(municipality=frederiksberg, year=2025)
    client.force_login(admin_user)
    assert client.get(reverse("delivery-detail", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/v1/dst-deliveries/{theirs.pk}/").status_code == 404


@time_machine.travel("2026-02-03 10:00", tick=False)
def test_month_approval(client, admin_user, year_of_visits):
    client.force_login(admin_user)
    url = reverse("month-approve", args=[2025, 3])
    # One tap opens the confirmation with what approving locks in; a POST without it does nothing.
    assert f'href="{url}"' in client.get(reverse("statistics") + "?aar=2025").content.decode()
    assert client.post(url).url == url and not MonthApproval.objects.exists()
    page = client.get(url).content.decode()
    assert "Marts 2025 godkendes med de tal, den har nu: 6 borgere og 6 besøg." in page
    client.post(url, {"bekraeft": "1"})
    approval = MonthApproval.objects.get()
    assert (approval.month, approval.persons, approval.visits, approval.approved_by) == (3, 6, 6, admin_user)
    response = client.post(url, {"bekraeft": "1"}, follow=True)
    assert "allerede godkendt" in response.content.decode()
    # Undone while no delivery has counted it; approved again.
    response = client.post(url, {"fortryd": "1"}, follow=True)
    assert "Godkendelsen er fortrudt" in response.content.decode() and not MonthApproval.objects.exists()
    client.post(url, {"bekraeft": "1"})
    assert MonthApproval.objects.count() == 1
    Delivery.objects.create(municipality=admin_user.municipality, year=2025, status=Delivery.Status.DONE)
    response = client.post(url, {"fortryd": "1"}, follow=True)
    assert "kan ikke fortrydes" in response.content.decode() and MonthApproval.objects.count() == 1
    assert "Fortryd" not in client.get(reverse("statistics") + "?aar=2025").content.decode()
    response = client.post(reverse("month-approve", args=[2026, 2]), {"bekraeft": "1"}, follow=True)  # not over
    assert "når den er slut" in response.content.decode()
    assert MonthApproval.objects.count() == 1
    months = client.get("/api/v1/dst-months/?year=2025").json()
    assert months[2]["approved_by"] and months[2]["persons"] == 6 and len(months) == 12
    assert client.post("/api/v1/dst-months/approve/", {"year": 2025, "month": 4}).status_code == 201
    # The delivery made above counts as made since (the clock stands still here): refused, then allowed.
    refused = client.post("/api/v1/dst-months/unapprove/", {"year": 2025, "month": 4})
    assert refused.status_code == 400 and "kan ikke fortrydes" in refused.content.decode()
    Delivery.objects.filter(year=2025).delete()
    assert client.post("/api/v1/dst-months/unapprove/", {"year": 2025, "month": 4}).status_code == 200
    assert not MonthApproval.objects.filter(year=2025, month=4).exists()
    assert client.post("/api/v1/dst-months/unapprove/", {"year": 2025, "month": 5}).status_code == 400
    assert client.post("/api/v1/dst-months/approve/", {"year": 2025, "month": 13}).status_code == 400


@time_machine.travel("2026-02-03 10:00", tick=False)
def test_api_delivery(client, admin_user, year_of_visits, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/dst-deliveries/", {"year": 2025}, content_type="application/json")
    assert response.status_code == 202
    delivery_id = response.json()["id"]
    body = client.get(f"/api/v1/dst-deliveries/{delivery_id}/").json()
    assert body["status"] == "done" and body["visits"] == 72 and body["quality"]["pass"] is True
    summary = client.get(f"/api/v1/dst-deliveries/{delivery_id}/files/summary/")
    assert json.loads(summary.content)["citizens"] == 6
    assert client.get(f"/api/v1/dst-deliveries/{delivery_id}/files/nope/").status_code == 404
    assert client.post("/api/v1/dst-deliveries/", {"year": 2030}).status_code == 400


@time_machine.travel("2025-06-02 10:00", tick=False)
def test_dashboard(client, team_leader, year_of_visits, copenhagen):
    consultant = UserFactory(role=Role.CONSULTANT, first_name="Mette", weekly_visit_capacity=2)
    for hour in (9, 11, 13):  # three bookings this week against a capacity of two
        Booking.objects.create(
            municipality=copenhagen,
            citizen=year_of_visits[0],
            consultant=consultant,
            starts_at=dt.datetime(2025, 6, 3, hour, tzinfo=dt.UTC),
        )
    client.force_login(team_leader)
    page = client.get(reverse("dashboard") + "?aar=2025").content.decode()
    assert "Konsulenternes bookede besøg" in page and "fhb-over" in page
    body = client.get("/api/v1/dashboard/?year=2025").json()
    assert body["consultant_load"]["rows"][0]["weeks"][0]["booked"] == 3
    assert [m["this"] for m in body["visits_by_month"]][:5] == [6, 6, 6, 6, 6]
    assert body["visits_by_month"][6]["this"] is None  # July has not begun
    pdf = client.get(reverse("council-report") + "?aar=2025")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@time_machine.travel("2026-02-03 10:00", tick=False)
def test_the_record_file_download_is_in_each_citizens_access_log(
    client, admin_user, year_of_visits, django_capture_on_commit_callbacks
):
    from fhb.models import CitizenAccess

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("delivery-create"), {"aar": "2025"})
    delivery = Delivery.objects.get()
    CitizenAccess.objects.all().delete()
    assert client.get(reverse("delivery-file", args=[delivery.pk, "summary"])).status_code == 200
    assert not CitizenAccess.objects.exists()  # counts only: no citizen in it
    assert client.get(reverse("delivery-file", args=[delivery.pk, "csv"])).status_code == 200
    assert client.get(f"/api/v1/dst-deliveries/{delivery.pk}/files/csv/").status_code == 200
    rows = CitizenAccess.objects.values_list("citizen_id", "lookup__purpose")
    purpose = f"DST-indberetning 2025 (#{delivery.pk}): postfil"
    assert sorted(rows) == sorted([(c.pk, purpose) for c in year_of_visits] * 2)
