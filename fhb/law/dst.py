"""Danmarks Statistik's data-quality criteria (domain.md § 6): before DST uses a municipality's
data on preventive home visits for a year, every month must have visits, at least five citizens
visited each month, at most one change of more than 40 % from one month to the next, and the
municipality must have approved at least eight months."""

MIN_CITIZENS_PER_MONTH = 5
MAX_CHANGE = 0.40
MAX_LARGE_CHANGES = 1
MIN_APPROVED_MONTHS = 8


def quality_criteria(persons_by_month: list[int], *, approved_months: int | None = None) -> dict:
    """DST's criteria on the citizens visited each month (January first). `pass` covers the three
    criteria on the data; the approved-months rule (DST publishes a year only when the municipality
    has approved at least 8 months) is reported beside it when known."""
    present = [i + 1 for i, p in enumerate(persons_by_month) if p > 0]
    low = [i + 1 for i, p in enumerate(persons_by_month) if p < MIN_CITIZENS_PER_MONTH]
    changes = []
    for i in range(1, len(persons_by_month)):
        before, after = persons_by_month[i - 1], persons_by_month[i]
        if before == after:
            continue
        change = (after - before) / before if before else None  # from nothing: an unbounded rise
        if change is None or abs(change) > MAX_CHANGE:
            changes.append({"from_month": i, "to_month": i + 1, "change": None if change is None else round(change, 4)})
    criteria = [
        {"code": "all_months_present", "pass": len(present) == 12, "months_present": len(present)},
        {"code": "min_citizens_per_month", "pass": not low, "minimum": MIN_CITIZENS_PER_MONTH, "months_below": low},
        {
            "code": "max_one_large_change",
            "pass": len(changes) <= MAX_LARGE_CHANGES,
            "threshold": MAX_CHANGE,
            "large_changes": changes,
        },
    ]
    result = {"pass": all(c["pass"] for c in criteria), "criteria": criteria}
    if approved_months is not None:
        result["approved_months"] = {
            "pass": approved_months >= MIN_APPROVED_MONTHS,
            "approved": approved_months,
            "minimum": MIN_APPROVED_MONTHS,
        }
    return result
