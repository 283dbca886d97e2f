"""Bookings, calendars and absences now live in visits (visits 0004 renamed their tables): drop
them from invitations' state, and point a letter's booking at visits.Booking. Nothing changes in
the database here."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0004_calendar_day_starts_callable"),
        ("visits", "0004_scheduling_from_invitations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="letter",
                    name="booking",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="letter",
                        to="visits.booking",
                    ),
                ),
                migrations.RemoveField(
                    model_name="absence",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="citizen",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="offer",
                ),
                migrations.RemoveField(
                    model_name="booking",
                    name="visit",
                ),
                migrations.RemoveField(
                    model_name="consultantcalendar",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="consultantcalendar",
                    name="districts",
                ),
                migrations.RemoveField(
                    model_name="historicalconsultantcalendar_districts",
                    name="consultantcalendar",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="citizen",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="offer",
                ),
                migrations.RemoveField(
                    model_name="historicalbooking",
                    name="visit",
                ),
                migrations.RemoveField(
                    model_name="historicalconsultantcalendar",
                    name="consultant",
                ),
                migrations.RemoveField(
                    model_name="historicalconsultantcalendar",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalconsultantcalendar_districts",
                    name="history",
                ),
                migrations.RemoveField(
                    model_name="historicalconsultantcalendar_districts",
                    name="district",
                ),
                migrations.DeleteModel(
                    name="Absence",
                ),
                migrations.DeleteModel(
                    name="Booking",
                ),
                migrations.DeleteModel(
                    name="ConsultantCalendar",
                ),
                migrations.DeleteModel(
                    name="HistoricalBooking",
                ),
                migrations.DeleteModel(
                    name="HistoricalConsultantCalendar",
                ),
                migrations.DeleteModel(
                    name="HistoricalConsultantCalendar_districts",
                ),
            ],
        ),
    ]
