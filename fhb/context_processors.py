"""Template context for the page frame: the navigation the user's role gives."""

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .law import legal_basis_on
from .selectors import target_group_labels


def navigation(request):
    legal_basis = legal_basis_on(timezone.localdate())[0]  # the law in force today, in the header
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not getattr(user, "is_municipality_staff", False):
        return {"nav_items": [], "legal_basis": legal_basis}
    # The names of the municipality's target groups (its own too), read only when a page shows one.
    group_labels = SimpleLazyObject(lambda: target_group_labels(user.municipality_id))
    items = []
    if user.has_perm("visits.add_visit"):
        items.append(("agenda", _("Min dag"), reverse("agenda")))
    items += [("citizens", _("Borgere"), reverse("citizen-list")), ("due", _("Målgrupper"), reverse("due-list"))]
    if user.has_perm("visits.view_events"):
        items.append(("events", _("Arrangementer"), reverse("event-list")))
    if user.has_perm("invitations.plan_batches"):
        items.append(("batch", _("Breve"), reverse("batch-list")))
    if user.has_perm("invitations.respond"):
        items.append(("call", _("Ringeliste"), reverse("call-list")))
    if user.has_perm("reports.view_statistics"):
        items.append(("dashboard", _("Overblik"), reverse("dashboard")))
        items.append(("statistics", _("Statistik"), reverse("statistics")))
    if user.has_perm("fhb.import_registry"):
        items.append(("imports", _("Import"), reverse("import-list")))
    if user.has_perm("fhb.view_citizenaccesses"):
        items.append(("access", _("Opslagslog"), reverse("access-control")))
    items.append(("api", _("API"), reverse("api-docs")))
    current = getattr(request.resolver_match, "url_name", "") or ""
    return {
        "legal_basis": legal_basis,
        "group_labels": group_labels,
        "nav_items": [
            {"key": key, "label": label, "href": href, "current": current.split("-")[0] in (key, key[:-1])}
            for key, label, href in items
        ],
    }


def saved_drafts(request):
    """The visit forms' device copies the server now has (visits.views._device_copy_done): the page
    names them once, and app.js deletes them from the device."""
    session = getattr(request, "session", None)
    if session is None or "fhb_saved_drafts" not in session:
        return {}
    return {"saved_drafts": " ".join(session.pop("fhb_saved_drafts"))}
