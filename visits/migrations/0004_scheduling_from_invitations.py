"""Bookings, the consultants' working calendars and absences move from invitations to visits
(scheduling sits below letter planning, and visits' booking pages and agenda use them).

The models are created here in the state under their old tables, then the tables are renamed to
visits'; invitations 0005 drops them from its state. Content types (and so permissions and the
history's references) are relabelled, not recreated."""

import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import visits.models

MOVED = [
    "consultantcalendar",
    "historicalbooking",
    "historicalconsultantcalendar",
    "historicalconsultantcalendar_districts",
    "absence",
    "booking",
]


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="invitations", model__in=MOVED).update(app_label="visits")


def relabel_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="visits", model__in=MOVED).update(app_label="invitations")


class Migration(migrations.Migration):
    dependencies = [
        ("fhb", "0011_importjob_upload_file"),
        ("visits", "0003_screenings_follow_ups_events"),
        ("invitations", "0004_calendar_day_starts_callable"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ConsultantCalendar",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "weekdays",
                            models.JSONField(
                                default=visits.models._weekdays_default,
                                help_text="0 = mandag … 6 = søndag",
                                verbose_name="arbejdsdage",
                            ),
                        ),
                        (
                            "day_starts",
                            models.TimeField(default=visits.models.first_visit_default, verbose_name="første besøg"),
                        ),
                        ("day_ends", models.TimeField(default=datetime.time(15, 0), verbose_name="sidste besøg slut")),
                        (
                            "visit_minutes",
                            models.PositiveSmallIntegerField(default=60, verbose_name="besøgets længde (minutter)"),
                        ),
                        (
                            "travel_minutes",
                            models.PositiveSmallIntegerField(
                                default=30, verbose_name="transporttid mellem besøg (minutter)"
                            ),
                        ),
                        (
                            "consultant",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "districts",
                            models.ManyToManyField(
                                blank=True, related_name="calendars", to="fhb.district", verbose_name="distrikter"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_consultantcalendar",
                        "verbose_name": "arbejdskalender",
                        "verbose_name_plural": "arbejdskalendere",
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalBooking",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("kind", models.CharField(default="home_visit", max_length=20, verbose_name="type")),
                        ("starts_at", models.DateTimeField(verbose_name="tidspunkt")),
                        (
                            "duration_minutes",
                            models.PositiveSmallIntegerField(default=60, verbose_name="varighed (minutter)"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("booked", "Booket"), ("completed", "Gennemført"), ("cancelled", "Aflyst")],
                                default="booked",
                                max_length=12,
                                verbose_name="status",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="praktisk note")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "citizen",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="fhb.citizen",
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="konsulent",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="fhb.municipality",
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="fhb.offer",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="visits.visit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_historicalbooking",
                        "verbose_name": "historical booking",
                        "verbose_name_plural": "historical bookinger",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalConsultantCalendar",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "weekdays",
                            models.JSONField(
                                default=visits.models._weekdays_default,
                                help_text="0 = mandag … 6 = søndag",
                                verbose_name="arbejdsdage",
                            ),
                        ),
                        (
                            "day_starts",
                            models.TimeField(default=visits.models.first_visit_default, verbose_name="første besøg"),
                        ),
                        ("day_ends", models.TimeField(default=datetime.time(15, 0), verbose_name="sidste besøg slut")),
                        (
                            "visit_minutes",
                            models.PositiveSmallIntegerField(default=60, verbose_name="besøgets længde (minutter)"),
                        ),
                        (
                            "travel_minutes",
                            models.PositiveSmallIntegerField(
                                default=30, verbose_name="transporttid mellem besøg (minutter)"
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_historicalconsultantcalendar",
                        "verbose_name": "historical arbejdskalender",
                        "verbose_name_plural": "historical arbejdskalendere",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalConsultantCalendar_districts",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "consultantcalendar",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_tablespace="",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="visits.consultantcalendar",
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                db_tablespace="",
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="fhb.district",
                            ),
                        ),
                        (
                            "history",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                to="visits.historicalconsultantcalendar",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_historicalconsultantcalendar_districts",
                        "verbose_name": "HistoricalConsultantCalendar_districts",
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Absence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_on", models.DateField(verbose_name="fra")),
                        ("ends_on", models.DateField(verbose_name="til og med")),
                        ("reason", models.CharField(blank=True, max_length=100, verbose_name="årsag")),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="absences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_absence",
                        "verbose_name": "fravær",
                        "verbose_name_plural": "fravær",
                        "ordering": ["starts_on"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_on__gte", models.F("starts_on"))), name="absence_order"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Booking",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(default="home_visit", max_length=20, verbose_name="type")),
                        ("starts_at", models.DateTimeField(verbose_name="tidspunkt")),
                        (
                            "duration_minutes",
                            models.PositiveSmallIntegerField(default=60, verbose_name="varighed (minutter)"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("booked", "Booket"), ("completed", "Gennemført"), ("cancelled", "Aflyst")],
                                default="booked",
                                max_length=12,
                                verbose_name="status",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="praktisk note")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "citizen",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="bookings", to="fhb.citizen"
                            ),
                        ),
                        (
                            "consultant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bookings",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="konsulent",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bookings",
                                to="fhb.municipality",
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="bookings",
                                to="fhb.offer",
                            ),
                        ),
                        (
                            "visit",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="booking",
                                to="visits.visit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "invitations_booking",
                        "verbose_name": "booking",
                        "verbose_name_plural": "bookinger",
                        "ordering": ["starts_at", "id"],
                        "indexes": [models.Index(fields=["consultant", "starts_at"], name="booking_agenda")],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="ConsultantCalendar", table=None),
        migrations.AlterModelTable(name="HistoricalBooking", table=None),
        migrations.AlterModelTable(name="HistoricalConsultantCalendar", table=None),
        migrations.AlterModelTable(name="HistoricalConsultantCalendar_districts", table=None),
        migrations.AlterModelTable(name="Absence", table=None),
        migrations.AlterModelTable(name="Booking", table=None),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
