"""Uploads go to disk and are parsed from there a row at a time: the web process never reads the
file into memory, the import never holds it whole, and the file is deleted once imported."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from fhb.models import Citizen, ImportJob, Role
from fhb.registry import citizens
from fhb.registry.jobs import import_job_create, import_job_run, import_jobs_purge
from fhb.registry.tables import ImportFileError, read_table
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HEADER = "cpr;first_name;last_name;address;postal_code;city;municipality_code;household_size"


def rows(n: int, start: int = 1) -> str:
    return "".join(
        f"{1 + i % 28:02d}{1 + i // 28 % 12:02d}45{i // 336 % 4}{i % 100:02d}{i % 10};Navn{i};Efternavn;Vej {i};"
        f"2100;København Ø;101;1\n"
        for i in range(start, start + n)
    )


class OneReadFile(io.BytesIO):
    """A file that counts how much is read at once: the parser must never ask for all of it."""

    largest = 0

    def read(self, size=-1):
        data = super().read(size)
        OneReadFile.largest = max(OneReadFile.largest, len(data))
        return data

    def read1(self, size=-1):
        data = super().read1(size)
        OneReadFile.largest = max(OneReadFile.largest, len(data))
        return data


def test_the_table_is_read_in_pieces_and_may_be_read_twice():
    body = (HEADER + "\n" + rows(20_000)).encode()
    handle = OneReadFile(body)
    table = read_table(handle, required=["cpr"], optional=["first_name"])
    first = sum(1 for _ in table.rows)
    second = [line for line, _raw in table.rows]
    assert first == len(second) == table.total == 20_000 and second[0] == 2
    assert len(body) > 1_000_000 and OneReadFile.largest <= 1 << 20  # never the whole file at once


def test_an_undecodable_byte_half_way_changes_nothing(copenhagen):
    good = (HEADER + "\n" + rows(citizens.CHUNK_ROWS + 10)).encode()
    data = good + b"0101451234;N\xe6vn;X;Vej;2100;By;101;1\n"
    with pytest.raises(ImportFileError, match="ikke UTF-8"):
        citizens.citizens_import(data=io.BytesIO(data))
    assert not Citizen.objects.exists()  # the chunks already written were rolled back


def test_strict_with_an_invalid_row_after_the_first_chunk_changes_nothing(copenhagen):
    data = (HEADER + "\n" + rows(citizens.CHUNK_ROWS + 10) + "0101451234;;X;Vej;2100;By;101;1\n").encode()
    result = citizens.citizens_import(data=io.BytesIO(data), strict=True)
    assert (result.applied, result.created, result.rejected) == (False, 0, 1)
    assert not Citizen.objects.exists()
    lenient = citizens.citizens_import(data=io.BytesIO(data))
    assert (lenient.created, lenient.rejected) == (citizens.CHUNK_ROWS + 10, 1)


def test_a_duplicate_across_chunks_is_named_with_its_first_row(copenhagen):
    body = rows(citizens.CHUNK_ROWS + 5)
    first = body.splitlines()[0]
    result = citizens.citizens_import(data=io.BytesIO((HEADER + "\n" + body + first + "\n").encode()))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (citizens.CHUNK_ROWS + 7, "cpr", "CPR-nummeret står også i række 2")
    ]


def test_upload_file_lifecycle(copenhagen, django_capture_on_commit_callbacks, tmp_path):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN, municipality=copenhagen)
    spooled = TemporaryUploadedFile("udtræk.csv", "text/csv", 0, "utf-8")
    spooled.write((HEADER + "\n" + rows(3)).encode())
    spooled.seek(0)
    temp_path = spooled.temporary_file_path()
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(user=admin, kind="citizens", filename=spooled.name, upload=spooled, strict=False)
    stored = job.upload.name
    assert stored.startswith("imports/") and "udtræk" not in stored  # a random name, not the user's
    assert default_storage.exists(stored) and not os.path.exists(temp_path)  # moved, not read and copied
    spooled.close()  # as Django does at the end of the request
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.created) == ("done", 3)
    assert not job.upload and not default_storage.exists(stored)


def test_a_file_never_imported_is_purged_after_the_retention(copenhagen):
    admin = UserFactory(role=Role.MUNICIPALITY_ADMIN, municipality=copenhagen)
    job = import_job_create(
        user=admin, kind="citizens", filename="x.csv", upload=SimpleUploadedFile("x.csv", b"a;b\n"), strict=False
    )
    stored = job.upload.name
    assert import_jobs_purge(older_than_days=-1) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not job.upload and not default_storage.exists(stored)
    assert import_job_run(job_id=job.pk).status == ImportJob.Status.FAILED  # nothing left to run


def test_a_json_upload_is_limited_to_what_is_read_whole(client, copenhagen):
    from django.urls import reverse

    from fhb.registry.jobs import MAX_JSON_UPLOAD_BYTES

    client.force_login(UserFactory(role=Role.MUNICIPALITY_ADMIN, municipality=copenhagen))
    big = SimpleUploadedFile("standard.json", b" " * (MAX_JSON_UPLOAD_BYTES + 1))
    page = client.post(reverse("import-list"), {"kind": "quality_standard", "file": big})
    assert page.status_code == 200 and "højst være 20 MB" in page.content.decode()
    assert not ImportJob.objects.exists()
