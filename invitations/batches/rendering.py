"""Letter batches, rendering: the PDFs in chunks (one Celery task each, or inline for the
command), resumable after a failure, the batch's combined file and its manifests (JSON, CSV)."""

from __future__ import annotations

import hashlib
import io
import json
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from fhb import background
from fhb.errors import DomainError
from fhb.exports import SafeCsvWriter
from fhb.models import InvitationKind, User
from fhb.pdf import document
from fhb.registry.bulk import update_values
from fhb.services import citizen_access_log

from .. import letters as letterlib
from ..models import BatchStatus, Letter, LetterBatch

log = logging.getLogger(__name__)
CHUNK = 50  # letters per WeasyPrint document


def enqueue_render(batch_id: int) -> None:
    from ..tasks import batch_render_task  # cycle: invitations.tasks runs this module's batch_render

    background.start(batch_render_task, batch_id)


def batch_render(batch_id: int, *, inline: bool = False, progress=None) -> LetterBatch:
    """Start (or resume) rendering: the letters without a PDF, in chunks, each chunk one task —
    or, `inline` (the render_letters command), each chunk rendered here, one after the other,
    reporting `progress(done, total)`."""
    from ..tasks import render_chunk_task  # cycle: invitations.tasks runs this module's render_chunk

    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (BatchStatus.APPROVED, BatchStatus.RENDERING, BatchStatus.FAILED):
            return batch
        batch.status = BatchStatus.RENDERING
        batch.message = ""
        batch.progress_at = timezone.now()  # its heartbeat: a lease of BATCH_LEASE_SECONDS (fhb.jobs)
        batch.attempts += 1
        batch.save(update_fields=["status", "message", "progress_at", "attempts"])
    pending = list(batch.letters.filter(sha256="").order_by("id").values_list("id", flat=True))
    if not pending:
        batch_finish(batch_id)
        return LetterBatch.objects.get(pk=batch_id)
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        if not inline:
            render_chunk_task.delay(batch_id, chunk)
            continue
        render_chunk(batch_id, chunk)
        if progress:
            progress(start + len(chunk), len(pending))
    return LetterBatch.objects.get(pk=batch_id)


def render_chunk(batch_id: int, letter_ids: list[int]) -> int:
    """Render the chunk's letters that have no PDF yet as one document, split it into one PDF per
    letter and store them. Returns how many were rendered; 0 when a retry finds them done."""
    batch = LetterBatch.objects.select_related("municipality", "event").get(pk=batch_id)
    if batch.status != BatchStatus.RENDERING:
        return 0
    todo = list(
        Letter.objects.filter(batch_id=batch_id, pk__in=letter_ids, sha256="")
        .select_related("citizen", "consultant")
        .order_by("id")
    )
    if not todo:
        return 0
    municipality = batch.municipality
    text_for = letterlib.templates_for(municipality)
    blocks = []
    for letter in todo:
        subject, body = text_for(letter.kind, letter.group)
        fields = letterlib.fields_for(
            citizen=letter.citizen,
            municipality=municipality,
            consultant=letter.consultant,
            starts_at=letter.starts_at,
            event=batch.event if letter.kind == InvitationKind.COLLECTIVE_EVENT else None,
        )
        blocks.append(
            letterlib.letter_block(
                anchor=f"letter-{letter.pk}", subject=subject, body=body, fields=fields, recipient=letter.citizen,
                municipality=municipality, letter_date=batch.letter_date,
            )
        )  # fmt: skip
    rendered = document(letterlib.document(blocks))
    starts = {}
    for index, page in enumerate(rendered.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-"):
                starts[int(anchor[7:])] = index
    reader = PdfReader(io.BytesIO(rendered.write_pdf()))
    bounds = [starts[letter.pk] for letter in todo] + [len(reader.pages)]
    updates = []
    for i, letter in enumerate(todo):
        writer = PdfWriter()
        for page in range(bounds[i], bounds[i + 1]):
            writer.add_page(reader.pages[page])
        writer.add_metadata({"/Title": f"Brev {letter.pk}", "/Producer": "fhb"})
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
        name = f"letters/batch-{batch_id}/letter-{letter.pk}.pdf"
        default_storage.delete(name)  # a retry overwrites, never adds a second file
        default_storage.save(name, ContentFile(data))
        updates.append([letter.pk, name, hashlib.sha256(data).hexdigest(), bounds[i + 1] - bounds[i]])
    with transaction.atomic():
        # Only letters still without a PDF: two runs of the same chunk count each letter once.
        fresh = set(Letter.objects.filter(pk__in=[u[0] for u in updates], sha256="").values_list("pk", flat=True))
        updates = [u for u in updates if u[0] in fresh]
        if updates:
            update_values(Letter, ["pdf", "sha256", "pages"], updates)
            LetterBatch.objects.filter(pk=batch_id).update(
                letters_done=F("letters_done") + len(updates), progress_at=timezone.now()
            )
    if not Letter.objects.filter(batch_id=batch_id, sha256="").exists():
        batch_finish(batch_id)
    return len(updates)


def batch_fail(batch_id: int, message: str) -> None:
    log.exception("letter batch %s failed", batch_id)
    LetterBatch.objects.filter(pk=batch_id, status=BatchStatus.RENDERING).update(
        status=BatchStatus.FAILED, message=message[:1000]
    )


def batch_finish(batch_id: int) -> LetterBatch:
    """All letters rendered: the print shop's PDF (paper letters, in postal-code order), the
    manifest for Digital Post, and the batch is ready. Deterministic, so running it twice is harmless."""
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().select_related("municipality").get(pk=batch_id)
        if batch.status != BatchStatus.RENDERING:
            return batch
        letters = list(batch.letters.select_related("citizen", "consultant").order_by("id"))
        writer = PdfWriter()
        for letter in sorted((x for x in letters if x.paper), key=lambda x: (x.citizen.postal_code, x.pk)):
            with default_storage.open(letter.pdf.name, "rb") as fh:
                for page in PdfReader(io.BytesIO(fh.read())).pages:
                    writer.add_page(page)
        prefix = f"letters/batch-{batch_id}"
        if writer.pages:
            out = io.BytesIO()
            writer.write(out)
            _store(batch, "print_pdf", f"{prefix}/tryk.pdf", out.getvalue())
        manifest = manifest_rows(batch, letters)
        _store(batch, "manifest_json", f"{prefix}/manifest.json", manifest_json(batch, manifest))
        _store(batch, "manifest_csv", f"{prefix}/manifest.csv", manifest_csv(manifest))
        batch.status = BatchStatus.READY
        batch.rendered_at = timezone.now()
        batch.letters_done = len(letters)
        batch.save()
    return batch


def _store(batch, field: str, name: str, data: bytes) -> None:
    default_storage.delete(name)
    getattr(batch, field).name = default_storage.save(name, ContentFile(data))


MANIFEST_FIELDS = [
    "letter_id", "cpr", "name", "channel", "kind", "group", "visit_start", "consultant", "pdf", "sha256", "pages",
]  # fmt: skip


BATCH_FILES = {"print.pdf": "print_pdf", "manifest.json": "manifest_json", "manifest.csv": "manifest_csv"}


def batch_file(*, batch: LetterBatch, name: str, user: User, path: str):
    """Open one of a batch's files for download, logging the access for every citizen in it (the
    print PDF holds the paper letters; the manifests every letter, with CPR numbers)."""
    field = getattr(batch, BATCH_FILES.get(name, ""), None)
    if not field:
        raise DomainError("Filen er ikke dannet.")
    letters = batch.letters.select_related("citizen")
    if name == "print.pdf":
        letters = letters.filter(paper=True)

    citizen_access_log(user=user, citizens=[x.citizen for x in letters], endpoint=path, purpose="brevrunde")
    return default_storage.open(field.name, "rb")


def manifest_rows(batch: LetterBatch, letters: list[Letter]) -> list[dict]:
    """One row per letter: what a Digital Post (MeMo, SF1601) integration needs to send it, or that
    it goes on paper. The CPR is the recipient's identifier in MeMo."""
    return [
        {
            "letter_id": letter.pk,
            "cpr": letter.citizen.cpr,
            "name": f"{letter.citizen.first_name} {letter.citizen.last_name}",
            "channel": "paper" if letter.paper else "digital_post",
            "kind": letter.kind,
            "group": letter.group,
            "visit_start": timezone.localtime(letter.starts_at).isoformat() if letter.starts_at else "",
            "consultant": (letter.consultant.get_full_name() if letter.consultant else ""),
            "pdf": f"letter-{letter.pk}.pdf",
            "sha256": letter.sha256,
            "pages": letter.pages,
        }
        for letter in letters
    ]


def manifest_json(batch: LetterBatch, rows: list[dict]) -> bytes:
    municipality = batch.municipality
    document = {
        "batch": batch.pk,
        "sender": {"municipality_code": municipality.code, "name": municipality.name, "cvr": municipality.cvr},
        "letter_date": batch.letter_date.isoformat(),
        "memo": {"message_type": "DigitalPost", "label": "Forebyggende hjemmebesøg"},
        "letters": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def manifest_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = SafeCsvWriter(out, delimiter=";", lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    writer.writerows([row[f] for f in MANIFEST_FIELDS] for row in rows)
    return out.getvalue().encode()
