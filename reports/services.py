"""Deliveries: run an export, keep it as an unchangeable record, compare it with the last one."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from fhb import background
from fhb.errors import DomainError
from fhb.jobs import is_stalled, job_claim, job_lease, job_restart
from fhb.law import FIRST_YEAR
from fhb.law import dst as law_dst
from fhb.models import Citizen, Municipality, User
from fhb.services import citizen_access_log_ids

from . import dst
from .approval import approval_pdf, report_names, warm_up
from .figures import year_summary
from .models import Delivery, MonthApproval

log = logging.getLogger(__name__)

DIFF_SAMPLE = 200  # rows of each kind kept for the web page; the counts are exact
EXCLUDED_PREVIEW = 100  # the year's own excluded records kept for the web page (all are in the file)


class DeliveryError(Exception):
    pass


def file_names(municipality: Municipality, year: int) -> dict[str, str]:
    stem = f"fhb_{municipality.code}_{year}"
    return {"csv": f"{stem}.csv", "summary": f"{stem}_summary.json", "pdf": f"{stem}_approval.pdf"}


def approved_month_count(municipality: Municipality, year: int) -> int:
    return MonthApproval.objects.filter(municipality=municipality, year=year).count()


class DeliveryBusy(DomainError):
    """A delivery of the same municipality and year is queued or running."""

    def __init__(self, running: Delivery):
        super().__init__(
            f"Indberetning #{running.pk} for {running.year} dannes allerede. Vent, til den er færdig, og prøv igen."
        )
        self.running = running


def delivery_year_check(year: int) -> None:
    """A delivery covers a year that has begun, from the first year fhb models."""
    if year < FIRST_YEAR:
        raise DomainError(f"Indberetninger dannes fra {FIRST_YEAR}.", field="year")
    if year > timezone.localdate().year:
        raise DomainError(f"Året {year} er ikke begyndt.", field="year")


def delivery_create(
    *, municipality: Municipality, year: int, user: User | None, source: str, output: Path | None = None
) -> Delivery:
    """Start an export: queued in the background (web, API), or run at once with its files
    written to `output` (the command). One at a time per municipality and year, whatever starts
    it: a request while one is queued or running gets that one (or, run at once, DeliveryBusy);
    one whose worker is gone (fhb.jobs) is started again, so a year can always be delivered."""
    delivery_year_check(year)
    with transaction.atomic():
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        running = Delivery.objects.filter(
            municipality=municipality, year=year, status__in=[Delivery.Status.QUEUED, Delivery.Status.RUNNING]
        ).first()
        if running and output is not None and not is_stalled(running):
            raise DeliveryBusy(running)
        if running and is_stalled(running):  # its worker is gone: the year is delivered again
            job_restart(running, user=user)
            delivery = running
        elif running:
            return running
        else:
            delivery = Delivery.objects.create(municipality=municipality, year=year, requested_by=user, source=source)
    if running and output is None:
        return delivery
    if output is not None:
        return delivery_run(delivery_id=delivery.pk, output=output)
    from .tasks import delivery_run_task  # cycle: reports.tasks runs this module's delivery_run

    transaction.on_commit(lambda: background.start(delivery_run_task, delivery.pk))
    return delivery


def delivery_run(*, delivery_id: int, output: Path | None = None) -> Delivery:
    """Produce a queued delivery once, or again when its worker was lost (fhb.jobs: its lease ran
    out; the delivery is stored in one transaction at the end, so the lost run stored nothing). The
    three files are written to `output` when given (the command), else to a temporary folder."""
    delivery = job_claim(Delivery, delivery_id)
    if delivery is None:  # running elsewhere, or done: a second run of the task leaves it alone
        return Delivery.objects.get(pk=delivery_id)
    folder = output or Path(tempfile.mkdtemp(prefix="fhb-dst-"))
    try:
        with job_lease(Delivery, delivery.pk):
            _produce(delivery, folder)
    except Exception:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED,
            finished_at=timezone.now(),
            message=_("Indberetningen kunne ikke dannes. Intet er sendt; prøv igen eller kontakt support."),
        )
        raise
    finally:
        if output is None:
            shutil.rmtree(folder, ignore_errors=True)
    delivery.refresh_from_db()
    return delivery


def _produce(delivery: Delivery, folder: Path) -> None:
    municipality, year = delivery.municipality, delivery.year
    names = file_names(municipality, year)
    folder.mkdir(parents=True, exist_ok=True)

    # Progress is written while the rows stream in through COPY, which holds the connection: on
    # PostgreSQL through a second connection of its own (autocommit, so the page sees it at once).
    side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def progress(done: int, total: int) -> None:
        if side is None:
            Delivery.objects.filter(pk=delivery.pk).update(rows_done=done, rows_total=total)
            return
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Delivery._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                [done, total, delivery.pk],
            )

    def render(summary: dict) -> tuple[bytes, bytes, bytes]:
        try:
            summary_bytes = dst.summary_json(summary)
            weasyprint_loaded.join()
            pdf = approval_pdf(summary, names=report_text)
            return summary_bytes, gzip.compress(summary_bytes, compresslevel=1, mtime=0), pdf
        finally:
            connections.close_all()  # this thread's, should the report have read anything

    # On PostgreSQL the summary is complete before the file: its JSON and PDF are made in a thread
    # while the database sorts the file's rows (the export waits for them without the GIL). Then
    # the file is compressed in the same thread (zlib lets go of the GIL too).
    csv_path = folder / names["csv"]
    report_text = report_names(municipality.pk, year)  # read here: the rendering thread reads no database
    weasyprint_loaded = warm_up()
    rendered: list[Future] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fhb-dst") as pool:
        try:
            with open(csv_path, "wb") as out:
                result = dst.export(
                    municipality=municipality,
                    year=year,
                    out=out,
                    progress=progress,
                    approved_months=approved_month_count(municipality, year),
                    ready=lambda summary: rendered.append(pool.submit(render, summary)),
                )
        finally:
            if side is not None:
                side.close()
        csv_gz = pool.submit(_gzip_file, csv_path)
        summary_bytes, summary_gz, pdf = rendered[0].result()
        (folder / names["summary"]).write_bytes(summary_bytes)
        (folder / names["pdf"]).write_bytes(pdf)

        previous = (
            Delivery.objects.filter(municipality=municipality, year=year, status=Delivery.Status.DONE)
            .exclude(pk=delivery.pk)
            .order_by("-finished_at", "-id")
            .only("pk", "checksum")  # its files only when they must be compared
            .first()
        )
        added = removed = None
        diff = None
        if previous is not None and previous.checksum == result.checksum:
            added, removed, diff = 0, 0, {"added": [], "removed": []}  # the same bytes
        elif previous is not None and (old_gz := _stored_csv(previous)):
            with gzip.GzipFile(fileobj=io.BytesIO(old_gz)) as old:
                added, removed, diff = _diff((line.rstrip(b"\n") for line in old), _lines(csv_path))
        csv_gz = csv_gz.result()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DONE,
            finished_at=timezone.now(),
            rows_done=result.rows,
            rows_total=result.rows,
            checksum=result.checksum,
            visits=result.summary["visits"],
            citizens=result.summary["citizens"],
            excluded=result.excluded_count,
            quality_passed=result.quality_passed,
            summary=_stored_summary(result.summary),
            summary_gz=summary_gz,
            csv_gz=csv_gz,
            pdf=pdf,
            previous=previous,
            rows_added=added,
            rows_removed=removed,
            diff=diff,
        )


def _stored_csv(delivery: Delivery) -> bytes | None:
    stored = Delivery.objects.filter(pk=delivery.pk).values_list("csv_gz", flat=True).first()
    return bytes(stored) if stored else None


def _gzip_file(path: Path) -> bytes:
    """The file compressed (fast level, no timestamp: the same file gives the same bytes), read in
    chunks rather than whole."""
    buffer = io.BytesIO()
    with open(path, "rb") as source, gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    return buffer.getvalue()


def _stored_summary(summary: dict) -> dict:
    in_year = [e for e in summary["excluded"] if e["reason"] != "outside_year"]
    stored = {k: v for k, v in summary.items() if k != "excluded"}
    stored["excluded_in_year"] = in_year[:EXCLUDED_PREVIEW]
    stored["excluded_in_year_count"] = len(in_year)
    return stored


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        for line in source:
            yield line.rstrip(b"\n")


def _diff(old: list[bytes] | Iterator[bytes], new: Iterator[bytes]) -> tuple[int, int, dict]:
    """Rows added and removed between two files sorted by their bytes (the export sorts in the "C"
    collation): a merge of the two, as multisets, so a citizen's two identical rows on one day
    are two rows. Headers are skipped."""
    old_iter, new_iter = iter(old), iter(new)
    next(old_iter, None), next(new_iter, None)
    added = removed = 0
    samples: dict[str, list[list[str]]] = {"added": [], "removed": []}
    a, b = next(old_iter, None), next(new_iter, None)
    while a is not None or b is not None:
        if a == b:
            a, b = next(old_iter, None), next(new_iter, None)
        elif b is None or (a is not None and a < b):
            removed += 1
            if len(samples["removed"]) < DIFF_SAMPLE:
                samples["removed"].append(a.decode().split(";"))
            a = next(old_iter, None)
        else:
            added += 1
            if len(samples["added"]) < DIFF_SAMPLE:
                samples["added"].append(b.decode().split(";"))
            b = next(new_iter, None)
    return added, removed, samples


def delivery_file(delivery: Delivery, kind: str, *, user: User, endpoint: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of one of a finished delivery's files. The record file
    names every visited citizen by CPR number: its download is in each of their access logs."""
    if delivery.status != Delivery.Status.DONE:
        raise DeliveryError(_("Indberetningen er ikke færdig."))
    names = file_names(delivery.municipality, delivery.year)
    if kind == "csv":
        content = gzip.decompress(bytes(delivery.csv_gz))
        _log_record_file(delivery, content, user=user, endpoint=endpoint)
        return content, names["csv"], "text/csv; charset=utf-8"
    if kind == "summary":
        return gzip.decompress(bytes(delivery.summary_gz)), names["summary"], "application/json"
    if kind == "pdf":
        return bytes(delivery.pdf), names["pdf"], "application/pdf"
    raise DeliveryError(f"unknown file {kind!r}")


def _log_record_file(delivery: Delivery, content: bytes, *, user: User, endpoint: str) -> None:
    """One look-up of every citizen the record file names."""
    numbers = sorted({line.split(b";")[1].decode() for line in content.splitlines()[1:] if line})
    ids = []
    for start in range(0, len(numbers), 5000):
        ids += Citizen.objects.filter(
            municipality_id=delivery.municipality_id, cpr__in=numbers[start : start + 5000]
        ).values_list("pk", flat=True)
    citizen_access_log_ids(
        user=user,
        citizen_ids=ids,
        endpoint=endpoint,
        purpose=f"DST-indberetning {delivery.year} (#{delivery.pk}): postfil",
    )


def month_overview(municipality: Municipality, year: int, today: dt.date | None = None) -> dict:
    """The year so far, month by month, with the criteria and which months are approved: computed
    by the same export (without writing the file), so it shows what a delivery would contain."""
    summary = year_summary(municipality, year, approved_months=approved_month_count(municipality, year))
    today = today or timezone.localdate()
    approvals = {a.month: a for a in MonthApproval.objects.filter(municipality=municipality, year=year)}
    months = []
    previous = None
    for index, (key, cell) in enumerate(summary["by_month"].items(), start=1):
        over = dt.date(year, index, 1) < today.replace(day=1)
        change = None
        if previous:
            change = (cell["persons"] - previous) / previous
        months.append(
            {
                "month": index,
                "key": key,
                "persons": cell["persons"],
                "visits": cell["visits"],
                "change": change,
                "large_change": change is not None and abs(change) > law_dst.MAX_CHANGE,
                "too_few": cell["persons"] < law_dst.MIN_CITIZENS_PER_MONTH,
                "over": over,
                "approval": approvals.get(index),
                "can_approve": over and index not in approvals,
                "can_unapprove": index in approvals and not _delivered_since(approvals[index]),
            }
        )
        previous = cell["persons"]
    return {"summary": summary, "months": months, "approved": len(approvals)}


def _delivered_since(approval: MonthApproval) -> bool:
    """Has a delivery of the year been made since the month was approved (it counted the month)?"""
    return (
        Delivery.objects.filter(
            municipality_id=approval.municipality_id, year=approval.year, created_at__gte=approval.approved_at
        )
        .exclude(status=Delivery.Status.FAILED)
        .exists()
    )


def month_consequence(municipality: Municipality, year: int, month: int) -> str:
    """What approving the month does, in plain Danish (the confirmation shows it first)."""
    cell = month_overview(municipality, year)["months"][month - 1]
    when = date_format(dt.date(year, month, 1), "F Y")
    return _(
        "%(when)s godkendes med de tal, den har nu: %(persons)s borgere og %(visits)s besøg. Godkendte måneder "
        "tæller i indberetningen til Danmarks Statistik (året offentliggøres med mindst %(need)s). Godkendelsen "
        "kan fortrydes, indtil året er indberettet igen."
    ) % {
        "when": when.capitalize(),
        "persons": number_format(cell["persons"], force_grouping=True),
        "visits": number_format(cell["visits"], force_grouping=True),
        "need": law_dst.MIN_APPROVED_MONTHS,
    }


@transaction.atomic
def month_unapprove(*, municipality: Municipality, year: int, month: int, user: User) -> None:
    """Undo a month's approval, while no delivery of the year has counted it."""
    approval = (
        MonthApproval.objects.select_for_update().filter(municipality=municipality, year=year, month=month).first()
    )
    if approval is None:
        raise DeliveryError(_("Måneden er ikke godkendt."))
    if _delivered_since(approval):
        raise DeliveryError(_("Året er indberettet med måneden godkendt. Godkendelsen kan ikke fortrydes."))
    approval.delete()
    log.info(
        "month approval undone",
        extra={"municipality": municipality.code, "year": year, "month": month, "user": user.pk},
    )


def month_approve(*, municipality: Municipality, year: int, month: int, user: User) -> MonthApproval:
    """Approve a finished month with the figures it has now."""
    today = timezone.localdate()
    if not 1 <= month <= 12:
        raise DeliveryError(_("Måneden skal være 1-12."))
    if dt.date(year, month, 1) >= today.replace(day=1):
        raise DeliveryError(_("En måned kan først godkendes, når den er slut."))
    overview = month_overview(municipality, year, today)
    cell = overview["months"][month - 1]
    try:
        with transaction.atomic():
            return MonthApproval.objects.create(
                municipality=municipality,
                year=year,
                month=month,
                persons=cell["persons"],
                visits=cell["visits"],
                approved_by=user,
            )
    except IntegrityError:
        raise DeliveryError(_("Måneden er allerede godkendt.")) from None
