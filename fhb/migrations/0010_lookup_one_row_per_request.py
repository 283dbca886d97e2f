"""The access log gets one row per request (`Lookup`: who, when, where, why) with the citizens it
showed (`CitizenAccess`, now only the link). Each earlier row was one citizen's look-up: it becomes a
look-up of one citizen with the same id, so nothing is lost and the order is kept."""

import django.db.models.deletion
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models


def copy_rows(apps, schema_editor):
    connection = schema_editor.connection
    lookup = apps.get_model("fhb", "Lookup")
    access = apps.get_model("fhb", "CitizenAccess")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {lookup._meta.db_table} (id, user_id, accessed_at, endpoint, purpose, citizen_count) "
            f"SELECT id, user_id, accessed_at, endpoint, purpose, 1 FROM {access._meta.db_table}"
        )
        cursor.execute(f"UPDATE {access._meta.db_table} SET lookup_id = id")
        for sql in connection.ops.sequence_reset_sql(no_style(), [lookup]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("fhb", "0009_municipality_date_letter_priority"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Lookup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("accessed_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="tidspunkt")),
                ("endpoint", models.CharField(max_length=200, verbose_name="side/endpoint")),
                ("purpose", models.CharField(max_length=200, verbose_name="formål")),
                ("citizen_count", models.PositiveIntegerField(default=0, verbose_name="borgere")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lookups",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "opslag",
                "verbose_name_plural": "opslagslog",
                "ordering": ["-accessed_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="citizenaccess",
            name="lookup",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="rows", to="fhb.lookup"
            ),
        ),
        migrations.RunPython(copy_rows, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="citizenaccess", name="access_citizen_time"),
        migrations.RemoveField(model_name="citizenaccess", name="accessed_at"),
        migrations.RemoveField(model_name="citizenaccess", name="endpoint"),
        migrations.RemoveField(model_name="citizenaccess", name="purpose"),
        migrations.RemoveField(model_name="citizenaccess", name="user"),
        migrations.AlterField(
            model_name="citizenaccess",
            name="lookup",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="rows", to="fhb.lookup"),
        ),
        migrations.AddField(
            model_name="lookup",
            name="citizens",
            field=models.ManyToManyField(related_name="lookups", through="fhb.CitizenAccess", to="fhb.citizen"),
        ),
        migrations.AlterModelOptions(
            name="citizenaccess",
            options={
                "ordering": ["-lookup_id"],
                "verbose_name": "opslag af borger",
                "verbose_name_plural": "opslag af borgere",
            },
        ),
        migrations.AddIndex(
            model_name="citizenaccess",
            index=models.Index(fields=["citizen", "-lookup"], name="access_citizen_lookup"),
        ),
        migrations.AddConstraint(
            model_name="citizenaccess",
            constraint=models.UniqueConstraint(fields=("lookup", "citizen"), name="access_once_per_lookup"),
        ),
    ]
