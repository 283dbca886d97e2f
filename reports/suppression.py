"""Statistical disclosure control for published tables (domain.md § 6, seeds 001/003).

Primary suppression hides every cell with 1 or 2 observations (zero cells identify nobody and are
shown). Secondary suppression then hides further cells of the same column until the hidden cells
cannot be worked out from the published total: at least two cells are hidden, and what is known
about each hidden cell (the hidden sum, less the least the other hidden cells can hold) leaves room
for 3 or more. It hides the smallest cells first, so as little information as possible is lost;
zero cells are hidden only when nothing else is left, and the total as the very last resort.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 3


@dataclass(frozen=True)
class Column:
    values: tuple[int | None, ...]  # None: suppressed
    total: int | None
    primary: frozenset[int]
    secondary: frozenset[int]


def _protected(values: list[int], hidden: set[int]) -> bool:
    if len(hidden) < 2:
        return False
    lowest = 0 if any(values[i] == 0 for i in hidden) else 1
    upper = sum(values[i] for i in hidden) - (len(hidden) - 1) * lowest
    return upper >= THRESHOLD


def suppress_column(values: list[int], total: int | None = None) -> Column:
    """Suppress one additive column whose cells sum to `total` (default: their sum)."""
    total = sum(values) if total is None else total
    primary = {i for i, v in enumerate(values) if 0 < v < THRESHOLD}
    hidden = set(primary)
    total_hidden = 0 < total < THRESHOLD
    if total_hidden:
        hidden |= {i for i, v in enumerate(values) if v > 0}
    elif hidden:
        while not _protected(values, hidden):
            positive = [i for i, v in enumerate(values) if i not in hidden and v > 0]
            zeros = [i for i, v in enumerate(values) if i not in hidden and v == 0]
            if positive:
                hidden.add(min(positive, key=lambda i: (values[i], i)))
            elif zeros:
                hidden.add(zeros[0])
            else:
                total_hidden = True
                break
    return Column(
        values=tuple(None if i in hidden else v for i, v in enumerate(values)),
        total=None if total_hidden else total,
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )


def suppress_cell(value: int) -> int | None:
    return None if 0 < value < THRESHOLD else value


@dataclass(frozen=True)
class Row:
    label: str
    persons: int | None
    visits: int | None
    persons_secondary: bool = False
    visits_secondary: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    rows: tuple[Row, ...]
    total_persons: int | None
    total_visits: int | None


def suppress_table(title: str, breakdown: dict, labels: dict[str, str], *, persons: int, visits: int) -> Table:
    """A summary breakdown ({key: {"persons", "visits"}}) as a published table: both columns
    suppressed against the year's totals (persons per month or age band can add up to more than
    the total, as one citizen may be in several; suppressing them as if additive errs on the safe
    side)."""
    keys = list(breakdown)
    p = suppress_column([breakdown[k]["persons"] for k in keys], persons if _additive(breakdown, persons) else None)
    v = suppress_column([breakdown[k]["visits"] for k in keys], visits)
    rows = tuple(
        Row(
            label=labels.get(k, k),
            persons=p.values[i],
            visits=v.values[i],
            persons_secondary=i in p.secondary,
            visits_secondary=i in v.secondary,
        )
        for i, k in enumerate(keys)
    )
    return Table(title=title, rows=rows, total_persons=persons if p.total is not None else None, total_visits=v.total)


def _additive(breakdown: dict, persons: int) -> bool:
    return sum(cell["persons"] for cell in breakdown.values()) == persons
