"""Letter batches: plan (draft) → approve (slots booked) → render (PDFs) → ready → send (offers
invited), or cancel before sending; and the responses to the letters.

Every step is one service used by the web, the API, the commands and the Celery tasks. Re-running
a step never makes a second letter or booking: letters are unique per batch and offer, bookings are
made once at approval inside one transaction, and rendering skips letters that already have a PDF.

- `planning`: capacity, candidates, the plan and its preview, the proposal, approval;
- `rendering`: the PDFs in chunks, the combined file and the manifests;
- `responses`: send, cancel and its undo (restore), what each will do (the confirmation's
  consequence), a citizen's answer, the call list.
"""

from .planning import (
    DEFAULT_PRIORITY,
    PLANNABLE_STATUSES,
    UNSENT,
    batch_apply_proposal,
    batch_approve,
    batch_plan,
    batch_retry,
    capacities,
    consultants,
    priority_for,
    tz,
)
from .rendering import (
    BATCH_FILES,
    CHUNK,
    MANIFEST_FIELDS,
    batch_fail,
    batch_file,
    batch_finish,
    batch_render,
    manifest_csv,
    manifest_json,
    manifest_rows,
    render_chunk,
)
from .responses import (
    CALL_ORDERS,
    batch_cancel,
    batch_consequence,
    batch_restore,
    batch_send,
    call_list,
    call_record,
    free_slots_for,
    letter_respond,
    next_working_day,
    slot_window,
)

__all__ = [
    "BATCH_FILES",
    "CALL_ORDERS",
    "CHUNK",
    "DEFAULT_PRIORITY",
    "MANIFEST_FIELDS",
    "PLANNABLE_STATUSES",
    "UNSENT",
    "batch_apply_proposal",
    "batch_approve",
    "batch_cancel",
    "batch_consequence",
    "batch_fail",
    "batch_file",
    "batch_finish",
    "batch_plan",
    "batch_render",
    "batch_restore",
    "batch_retry",
    "batch_send",
    "call_list",
    "call_record",
    "capacities",
    "consultants",
    "free_slots_for",
    "letter_respond",
    "manifest_csv",
    "manifest_json",
    "manifest_rows",
    "next_working_day",
    "priority_for",
    "render_chunk",
    "slot_window",
    "tz",
]
