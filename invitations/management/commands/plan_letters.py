"""Plan a letter batch (a draft with its preview), and optionally approve and render it.

    manage.py plan_letters --municipality 740 --from 2026-12-01 --to 2026-12-31 \\
        --groups age_80,at_risk_65_81 [--kind age_80=open_letter] [--selection birth_month] \\
        [--approve] [--user teamleder]

Prints the preview (letters, date letters with a time, those that do not fit, the proposal). With
--approve the slots are booked and the letters rendered (in this process when Celery runs eagerly,
else by the workers). Exit status 0, 1 when date letters did not fit, 2 on bad arguments.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fhb.errors import DomainError
from fhb.models import Municipality, Role, User
from invitations import batches
from invitations.models import Selection


class Command(BaseCommand):
    help = "Plan (and optionally approve and render) an invitation letter batch."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="kommunekode")
        parser.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--groups", required=True, help="comma-separated target group codes")
        parser.add_argument("--statuses", default="due", help="due,no_response")
        parser.add_argument(
            "--kind", action="append", default=[], help="GROUP=date_letter|open_letter|collective_event"
        )
        parser.add_argument(
            "--selection",
            choices=Selection.values,
            default=Selection.ALL,
            help="all (default): the whole group; birth_month: birthdays in the period and earlier ones not yet "
            "invited; even: the group spread evenly over the year's remaining months",
        )
        parser.add_argument("--user", help="the team leader the batch is made by (default: the first)")
        parser.add_argument("--approve", action="store_true")

    def handle(self, *args, **options):
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist:
            raise CommandError(f"Ukendt kommunekode {options['municipality']}.", returncode=2) from None
        users = User.objects.filter(municipality=municipality, role__in=[Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN])
        user = users.filter(username=options["user"]).first() if options["user"] else users.order_by("id").first()
        if user is None:
            raise CommandError("Kommunen har ingen teamleder at oprette brevrunden som.", returncode=2)
        kinds = {}
        for item in options["kind"]:
            group, _, kind = item.partition("=")
            kinds[group] = kind
        try:
            batch = batches.batch_plan(
                municipality=municipality, user=user, period_start=options["start"], period_end=options["end"],
                groups=[g for g in options["groups"].split(",") if g],
                statuses=[s for s in options["statuses"].split(",") if s], letter_kinds=kinds,
                selection=options["selection"],
            )  # fmt: skip
            plan = batch.plan
            self.stdout.write(
                f"batch {batch.pk}: {plan['letters']} letters, {plan['date_letters']} date letters with a time, "
                f"{plan['unplaced']} do not fit ({plan['free_slots_before']} free slots), "
                f"expected visits {plan['expected_visits']}"
            )
            for option in plan["proposal"]:
                moved = ", ".join(option["move_to_open"]) or "as planned"
                self.stdout.write(
                    f"  option {moved}: {option['date_letters']} date letters, {option['left_out']} left out, "
                    f"expected visits {option['expected_visits']}"
                )
            if options["approve"]:
                batch = batches.batch_approve(batch=batch, user=user)
                batch.refresh_from_db()
                self.stdout.write(f"approved: {batch.get_status_display()}, {batch.letters_done}/{batch.letters_total}")
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if batch.plan["unplaced"]:
            raise CommandError("Date letters did not fit the capacity (see the proposal).", returncode=1)
