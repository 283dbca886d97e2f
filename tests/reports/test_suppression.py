"""Primary and secondary suppression: no suppressed cell can be worked out from what is shown."""

from hypothesis import given
from hypothesis import strategies as st

from reports.suppression import THRESHOLD, suppress_column, suppress_table


def test_cells_under_three_are_hidden_and_one_more_so_they_cannot_be_derived():
    column = suppress_column([2, 10, 7, 30])
    assert column.values == (None, 10, None, 30)  # 2 is primary, 7 (the smallest other) secondary
    assert column.total == 49
    assert column.primary == {0} and column.secondary == {2}


def test_two_hidden_ones_are_not_enough():
    # 1 + 1 hidden with the total shown: each is known to be 1 (zeros are shown, so hidden cells are >= 1)
    column = suppress_column([1, 1, 5, 20])
    assert column.values == (None, None, None, 20)


def test_zero_cells_are_shown_and_a_tiny_total_is_hidden():
    assert suppress_column([0, 12, 9]).values == (0, 12, 9)
    column = suppress_column([0, 2, 0])
    assert column.total is None and column.values[1] is None


def test_nothing_to_hide_with_leaves_the_column_alone():
    assert suppress_column([3, 4, 0]).values == (3, 4, 0)


def _derivable(values: list[int], column) -> bool:
    """Could someone who knows the published cells, the total and that zeros are published pin a
    hidden cell with fewer than THRESHOLD observations down to its value?"""
    if column.total is None:
        return False
    hidden = [i for i, v in enumerate(column.values) if v is None]
    if not hidden:
        return False
    rest = column.total - sum(v for v in column.values if v is not None)
    lowest = 0 if any(values[i] == 0 for i in hidden) else 1
    for i in hidden:
        upper = rest - (len(hidden) - 1) * lowest
        if 0 < values[i] < THRESHOLD and upper < THRESHOLD:
            return True
    return False


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12))
def test_no_small_cell_can_be_derived(values):
    column = suppress_column(values)
    for i, v in enumerate(values):
        if 0 < v < THRESHOLD:
            assert column.values[i] is None
    assert not _derivable(values, column)
    shown = [v for v in column.values if v is not None]
    if column.total is not None:
        assert sum(shown) <= column.total


def test_table_suppresses_both_columns_against_the_totals():
    breakdown = {"F": {"persons": 2, "visits": 2}, "M": {"persons": 40, "visits": 80}}
    table = suppress_table("Køn", breakdown, {"F": "Kvinder", "M": "Mænd"}, persons=42, visits=82)
    assert [(r.label, r.persons, r.visits) for r in table.rows] == [("Kvinder", None, None), ("Mænd", None, None)]
    assert (table.total_persons, table.total_visits) == (42, 82)
