"""migstats.flows.ffs_demo: the world-gap split and the births branch (issue 21).

- Births larger than end-of-period natives: migest 2.0.5's ffs_demo help page, example e6
  (Abel 2018, International Migration Review, supplementary material): country B has 50 births
  but only 45 B-born residents of B at the end. migest says "Too many births in region B" and
  spreads those births over places of birth; sum_od(e6) as printed on the package website.
- The world gap (the world total changes by more than births minus deaths): a case worked by
  hand below, since migest's help page has no gap with its default settings.
"""

import numpy as np
import pandas as pd
import pytest

from migstats import flows


def r_matrix(values):
    """R's matrix(values, nrow = 4) (filled by column) as a NumPy array."""
    return np.array(values, dtype=float).reshape(4, 4, order="F")


def test_ffs_demo_spreads_births_larger_than_the_natives():
    s1 = r_matrix([100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200])
    s2 = r_matrix([75, 20, 30, 30, 25, 45, 40, 30, 5, 30, 150, 20, 0, 15, 60, 230])
    assert s2[1, 1] < 50  # 45 B-born live in B at the end, and B has 50 births
    published = np.array([[0, 8.126216, 0, 0], [15.45535, 0, 18.081832, 5.712864],
                          [0, 1.125679, 0, 0], [17.66941, 0, 8.043363, 0]])
    od = flows.sum_od(flows.ffs_demo(s1, s2, births=[10, 50, 25, 60], deaths=[30, 10, 40, 10]))
    # migest's IPF (mipfp) stops at tolerance 1e-3: its cells differ from the converged ones by
    # up to 0.0013. A wrong split of the births moves cells by whole persons.
    np.testing.assert_allclose(od, published, atol=0.005)
    assert od.to_numpy().sum() == pytest.approx(74.214715, abs=0.005)


def test_ffs_demo_splits_the_world_gap_in_halves():
    # Two countries, no births or deaths. Start: 100 A-born in A, 100 B-born in B (200).
    # End: 10 more A-born in B and 10 more B-born in A (220). The world grew by 20 with no
    # births: gap = (births - deaths) - (end - start) = 0 - 20 = -20.
    # Step 1, half each: the start natives rise to 200 + 10 = 210 (105 each), the end natives
    # fall to 200 - 10 = 190 (95 each). Both tables now hold 210 people, with equal totals by
    # place of birth (A-born: 105 and 95 + 10), so the later steps change nothing.
    # Step 3: of the 105 A-born in A, 95 stay and 10 move to B; the B-born mirror this.
    start = pd.DataFrame([[100, 0], [0, 100]], index=["A", "B"], columns=["A", "B"])
    end = pd.DataFrame([[100, 10], [10, 100]], index=["A", "B"], columns=["A", "B"])
    out = flows.ffs_demo(start, end).set_index(["pob", "orig", "dest"])["flow"]
    expected = {("A", "A", "A"): 95, ("A", "A", "B"): 10, ("A", "B", "A"): 0, ("A", "B", "B"): 0,
                ("B", "A", "A"): 0, ("B", "A", "B"): 0, ("B", "B", "A"): 10, ("B", "B", "B"): 95}
    assert out.to_dict() == pytest.approx(expected, abs=1e-9)



# --- checks of the input, worked by hand ----------------------------------------------------------

def test_an_all_zero_seed_line_is_named_by_its_label():
    seed = pd.DataFrame([[1, 2, 3], [0, 0, 0]], index=["r1", "r2"], columns=["c1", "c2", "c3"])
    rows = pd.Series([3, 3], index=["r1", "r2"])
    cols = pd.Series([1, 2, 3], index=["c1", "c2", "c3"])
    with pytest.raises(ValueError, match="row 'r2' of the seed m is all zero"):
        flows.ipf2(rows, cols, seed)
    seed = pd.DataFrame([[1, 0, 3], [1, 0, 3]], index=["r1", "r2"], columns=["c1", "c2", "c3"])
    with pytest.raises(ValueError, match="column 'c2' of the seed m is all zero"):
        flows.ipf2(rows, cols, seed)
    # with the destination totals only, a zero column is checked too
    with pytest.raises(ValueError, match="column 1 of the seed m is all zero"):
        flows.ipf2(None, [4, 2, 6], np.array([[1, 0, 3], [1, 0, 3]]))


def test_stock_tables_must_have_the_same_labels_on_both_sides():
    labels = ["A", "B"]
    good = pd.DataFrame([[10, 1], [2, 20]], index=labels, columns=labels)
    bad = pd.DataFrame([[10, 1], [2, 20]], index=labels, columns=["A", "C"])
    with pytest.raises(ValueError):
        flows.ffs_demo(bad, good)
    with pytest.raises(ValueError, match="stock_start"):
        flows.ffs_demo(np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="stock_start has a negative count"):
        flows.ffs_demo(-good, good)
    with pytest.raises(ValueError, match="deaths has 3 values"):
        flows.ffs_demo(good, good, deaths=[1, 2, 3])


# --- survivors of `make mutation` in migstats.flows, worked by hand -------------------------------

def test_births_equal_to_the_natives_stay_with_the_natives():
    # migest spreads births only when they are larger than the end-of-period natives. At equality
    # the births all join the native cell, so the answer is the limit of births just below it.
    s1 = r_matrix([100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200])
    s2 = r_matrix([75, 20, 30, 30, 25, 45, 40, 30, 5, 30, 150, 20, 0, 15, 60, 230])
    deaths = [30, 10, 40, 10]
    at = flows.sum_od(flows.ffs_demo(s1, s2, births=[10, 45, 25, 60], deaths=deaths))
    below = flows.sum_od(flows.ffs_demo(s1, s2, births=[10, 45 - 1e-9, 25, 60], deaths=deaths))
    np.testing.assert_allclose(at, below, atol=1e-6)


def test_ipf_with_an_empty_seed_row_warns_nothing():
    # A zero cell in the current fit is skipped quietly (its ratio is 0), not with a NumPy warning.
    seed = np.array([[1.0, 1.0], [0.0, 1.0]])
    with np.errstate(all="raise"):
        fit = flows.ipf2(row_tot=[2, 1], col_tot=[1, 2], m=seed)
    np.testing.assert_allclose(np.asarray(fit), [[1, 1], [0, 1]], atol=1e-9)


def test_margins_of_a_near_empty_table_are_compared_with_a_floor_of_one_person():
    # Totals of 2e-7 persons that differ by 5e-13 (rounding noise): 1e-6 of a floor of 1 person
    # accepts them; 1e-6 of the total itself (2e-13) would refuse them.
    flows._check_totals(np.array([1e-7, 1e-7]), np.array([1e-7, 1e-7 + 5e-13]))
    with pytest.raises(ValueError, match="do not add up"):
        flows._check_totals(np.array([1e-7, 1e-7]), np.array([1e-7, 1e-7 + 2e-6]))


def test_cm2_names_its_parameters():
    _, params = flows.cm2(row_tot=[3, 1], col_tot=[2, 2])
    assert params.name == "estimate"
    assert list(params.index) == ["intercept", "orig[1]", "dest[1]"]
