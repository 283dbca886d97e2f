"""The load test's users (bench/load.py runs it headless): consultants 60 %, team leaders 25 %,
admins 15 % (an admin's share through the API), as issue 20 measured them; think time 2-5 s.
Each request is named by its page type, so the report has a line per page type."""

import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-load-2026")
CITIZENS = [int(x) for x in os.environ.get("LOAD_CITIZENS", "1").split(",")]
YEAR = os.environ.get("LOAD_YEAR", "2026")


LOGGED_IN = 0


@events.init.add_listener
def measure_after_logins(environment, **_kwargs):
    """The figures count from when every user has logged in: a login hashes a password (PBKDF2,
    on purpose slow), and 120 of them at once would measure that, not the pages."""

    def reset_when_all_logged_in() -> None:
        target = environment.parsed_options.num_users if environment.parsed_options else 0
        while target > LOGGED_IN:
            gevent.sleep(0.2)
        environment.stats.reset_all()

    gevent.spawn(reset_when_all_logged_in)


class Staff(HttpUser):
    abstract = True
    wait_time = between(2, 5)
    prefix = "konsulent"
    count = 36

    def on_start(self):
        self.username = f"{self.prefix}{random.randint(1, self.count)}"
        page = self.client.get("/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="login",
        )
        global LOGGED_IN
        LOGGED_IN += 1

    def citizen(self) -> int:
        return random.choice(CITIZENS)


class Consultant(Staff):
    weight = 60

    @task(4)
    def day(self):
        self.client.get("/min-dag/", name="min dag")

    @task(3)
    def citizen_page(self):
        self.client.get(f"/borgere/{self.citizen()}/", name="citizen page")

    @task(2)
    def visit_form(self):
        self.client.get(f"/borgere/{self.citizen()}/besoeg/ny/", name="visit form")

    @task(2)
    def search(self):
        self.client.get(
            "/borgere/", params={"q": random.choice(["Jensen", "Hansen", "Nielsen", "Anna"])}, name="search"
        )


class TeamLeader(Staff):
    weight = 25
    prefix, count = "teamleder", 6

    @task(3)
    def due_list(self):
        self.client.get("/maalgrupper/", params={"year": YEAR}, name="due list")

    @task(2)
    def dashboard(self):
        self.client.get("/overblik/", params={"aar": YEAR}, name="dashboard")

    @task(2)
    def batches(self):
        self.client.get("/breve/", name="letter batches")

    @task(2)
    def call_list(self):
        self.client.get("/ringeliste/", name="call list")


class Admin(Staff):
    weight = 15
    prefix, count = "admin", 4

    @task(3)
    def statistics(self):
        self.client.get("/statistik/", params={"aar": YEAR}, name="statistics")

    @task(2)
    def access_log(self):
        self.client.get("/opslagslog/", name="access log")

    @task(2)
    def api_offers(self):
        self.client.get("/api/v1/offers/", params={"year": YEAR}, name="api offers")

    @task(1)
    def api_dashboard(self):
        self.client.get("/api/v1/dashboard/", params={"year": YEAR}, name="api dashboard")
