"""Uploads are stored as files on the private storage instead of in the database row: the web
process streams them to disk and the import reads them from there a row at a time. A job still
waiting for its import keeps its bytes, written out to a file."""

import secrets

from django.core.files.base import ContentFile
from django.db import migrations, models


def move_content_to_files(apps, schema_editor):
    ImportJob = apps.get_model("fhb", "ImportJob")
    for job in ImportJob.objects.filter(content__isnull=False).iterator():
        job.upload.save(f"{secrets.token_hex(16)}.upload", ContentFile(bytes(job.content)), save=False)
        job.content = None
        job.save(update_fields=["upload", "content"])


class Migration(migrations.Migration):
    dependencies = [("fhb", "0010_lookup_one_row_per_request")]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="upload",
            field=models.FileField(blank=True, editable=False, max_length=200, null=True, upload_to="imports/"),
        ),
        migrations.RunPython(move_content_to_files, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="importjob", name="content"),
    ]
