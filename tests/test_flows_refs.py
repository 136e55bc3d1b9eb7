"""migstats.flows.ffs_demo: the world-gap split and the births branch (issue 21).

- Births larger than end-of-period natives: migest 2.0.5's ffs_demo help page, example e6
  (Abel 2018, International Migration Review, supplementary material): country B has 50 births
  but only 45 B-born residents of B at the end. migest says "Too many births in region B" and
  spreads those births over places of birth; sum_od(e6) as printed on the package website.
- The world gap (the world total changes by more than births minus deaths): a case worked by
  hand below, since migest's help page has no gap with its default settings.
"""

import warnings

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


# --- more survivors of `make mutation`, worked by hand (issue 21) ---------------------------------

def flows_of(out):
    """The long output of ffs_demo as {(pob, orig, dest): flow} for the flows that are not 0."""
    return {k: v for k, v in out.set_index(["pob", "orig", "dest"])["flow"].items() if abs(v) > 1e-12}


def test_errors_name_the_input_that_is_wrong():
    seed = pd.DataFrame([[5.0, 2.0], [1.0, 7.0]], index=["A", "B"], columns=["A", "B"])
    cases = [
        (lambda: flows.ipf2([18, 20], [-1, 39], seed), "col_tot has a negative count"),
        (lambda: flows.ipf2([18, 20], [16, 22], seed.where(seed > 1)), "m has missing values"),
        (lambda: flows.ipf2(pd.Series([18, 20], index=["A", "Z"]), [16, 22], seed),
         "the labels of row_tot"),
        (lambda: flows.ipf2(pd.DataFrame({"a": [18, 20], "b": [1, 2]}), [16, 22]),
         "row_tot must be one column of totals; got a table with 2 columns"),
        (lambda: flows.ipf2([18, 20], None), "give the seed table m too"),
        (lambda: flows.ffs_demo(seed, seed, births=[-1, 2]), "births has a negative count"),
        (lambda: flows.ffs_demo(seed, seed, births=pd.Series([1, 2], index=["A", "Z"])),
         "the labels of births"),
        (lambda: flows.ffs_demo(np.ones((2, 3)), np.ones((2, 2))), "^stock_start must be square"),
        (lambda: flows.ffs_demo(np.ones((2, 2)), np.ones((2, 3))), "^stock_end must be square"),
        (lambda: flows.ffs_demo(seed.set_axis(["A", "C"], axis=1), seed),
         "stock_start must have the same countries"),
        (lambda: flows.ffs_demo(seed, seed.loc[["B", "A"]]), "stock_end must have the same countries"),
    ]
    for call, words in cases:
        with pytest.raises(ValueError, match=words):
            call()


def test_ipf_iteration_limits_are_named_in_the_error():
    seed = np.array([[0, 1], [1, 0]])  # zero diagonal: (10, 20) by (10, 20) cannot be reached
    with pytest.raises(RuntimeError, match="did not converge in maxit = 1000 iterations"):
        flows.ipf2([10, 20], [10, 20], seed)  # the default
    with pytest.raises(RuntimeError, match="maxit = 0 iterations: a margin is still off by inf"):
        flows.ipf2([1, 1], [1, 1], maxit=0)


def test_ipf_stops_when_no_margin_is_off_by_more_than_tol_times_the_total():
    # One iteration on the seed [[1, 2], [3, 4]] by hand. Rows to (1/2, 1/2): (1/6, 1/3) and
    # (3/14, 2/7); column sums 8/21 and 13/21. Columns to (3/10, 7/10): factors 63/80 and
    # 147/130, so row 1 sums to 1/6 * 63/80 + 1/3 * 147/130 = 0.5081730..., off by g = 0.0081730.
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = 1 / 6 * 63 / 80 + 1 / 3 * 147 / 130 - 1 / 2
    # The total is 1: g is above tol * 1 with tol = g / 1.5, so one iteration is not enough.
    with pytest.raises(RuntimeError, match="maxit = 1 "):
        flows.ipf2([0.5, 0.5], [0.3, 0.7], seed, tol=g / 1.5, maxit=1)
    # Times 1000: the gap is 1000 g and the total 1000; tol = 1.5 g accepts 1000 g.
    fit = flows.ipf2([500, 500], [300, 700], seed, tol=1.5 * g, maxit=1)
    np.testing.assert_allclose(fit[0], [1000 / 6 * 63 / 80, 1000 / 3 * 147 / 130])
    # A seed that already fits stops at once, even with tol = 0: its gap is exactly 0.
    np.testing.assert_array_equal(flows.ipf2([3, 7], [4, 6], seed, tol=0, maxit=1), seed)


def test_margins_that_differ_by_exactly_the_tolerance_are_accepted():
    # MARGIN_RTOL = 1e-6 of the larger total, 1e6: totals 999 999 and 1 000 000 differ by 1.
    flows._check_totals(np.array([999_999.0]), np.array([1e6]))
    flows._check_totals(np.array([1e6]), np.array([999_999.0]))
    with pytest.raises(ValueError, match="do not add up"):
        flows._check_totals(np.array([999_998.0]), np.array([1e6]))


def test_a_one_column_frame_of_totals_is_read_by_label():
    seed = pd.DataFrame([[5.0, 2.0], [1.0, 7.0]], index=["A", "B"], columns=["A", "B"])
    rows = pd.DataFrame({"total": [7.0, 8.0]}, index=["B", "A"])  # B first
    fit = flows.ipf2(rows, None, seed)
    # each seed row scaled to its total: A 8 * (5, 2) / 7, B 7 * (1, 7) / 8
    np.testing.assert_allclose(fit.to_numpy(), [[40 / 7, 16 / 7], [7 / 8, 49 / 8]])


def test_one_labelled_margin_labels_its_side_and_numbers_the_other():
    seed = np.ones((2, 3))
    by_rows = flows.ipf2(pd.Series([1.0, 2.0], index=["A", "B"]), [1.0, 1.0, 1.0], seed)
    assert list(by_rows.index) == ["A", "B"] and list(by_rows.columns) == [0, 1, 2]
    by_columns = flows.ipf2([1.0, 2.0], pd.Series([1.0, 1.0, 1.0], index=["x", "y", "z"]), seed)
    assert list(by_columns.index) == [0, 1] and list(by_columns.columns) == ["x", "y", "z"]
    # independence fit r_i c_j / 3
    np.testing.assert_allclose(by_columns.to_numpy(), [[1 / 3] * 3, [2 / 3] * 3])


def test_one_labelled_stock_table_labels_the_flows():
    start = pd.DataFrame([[10, 0], [0, 5]], index=["A", "B"], columns=["A", "B"])
    end = np.array([[8, 2], [0, 5]])
    # 2 A-born move from A to B; labelled by whichever table has labels
    assert flows_of(flows.ffs_diff(start, end)) == {("A", "A", "B"): 2}
    labelled_end = pd.DataFrame(end, index=["A", "B"], columns=["A", "B"])
    assert flows_of(flows.ffs_diff(start.to_numpy(), labelled_end)) == {("A", "A", "B"): 2}


def test_ffs_diff_has_no_flow_from_a_country_to_itself():
    start = np.array([[10, 3], [1, 5]])
    end = np.array([[12, 4], [0, 7]])  # the natives grow too: not a flow
    out = flows.ffs_diff(start, end)
    assert (out.loc[out["orig"] == out["dest"], "flow"] == 0).all()
    assert flows_of(out) == {(0, 0, 1): 1, (1, 0, 1): 1}  # A-born to B +1; B-born in A -1: return
    assert flows_of(flows.ffs_diff(start, end, decrease="zero")) == {(0, 0, 1): 1}


def test_flows_keep_their_labels_whatever_their_type():
    # a numeric code and a text code in one table
    start = pd.DataFrame([[10, 0], [0, 5]], index=[4, "XK"], columns=[4, "XK"])
    end = pd.DataFrame([[8, 2], [0, 5]], index=[4, "XK"], columns=[4, "XK"])
    out = flows.ffs_diff(start, end)
    assert out["pob"].tolist()[:4] == [4, 4, 4, 4] and flows_of(out) == {(4, 4, "XK"): 2}


def test_cm2_fits_a_total_of_exactly_one():
    # independence: r_i c_j / N with rows and columns (1, 3), N = 4
    fitted, _ = flows.cm2([1, 3], [1, 3])
    np.testing.assert_allclose(fitted, [[0.25, 0.75], [0.75, 2.25]], atol=1e-9)


def test_cm2_names_parameters_by_row_and_column_labels():
    seed = pd.DataFrame(np.ones((2, 3)), index=["A", "B"], columns=["x", "y", "z"])
    _, params = flows.cm2(pd.Series([1, 2], index=["A", "B"]), [1, 1, 1], seed)
    assert list(params.index) == ["intercept", "orig[B]", "dest[y]", "dest[z]"]


def test_cm2_is_converged_to_rounding():
    # 2 x 2: the fit keeps the seed's odds ratio theta; with rows (50, 85) and columns (70, 65),
    # y11 = t, y12 = 50 - t, y21 = 70 - t, y22 = 15 + t and t (15 + t) = theta (50 - t)(70 - t):
    # (1 - theta) t^2 + (15 + 120 theta) t - 3500 theta = 0 (root taken without cancellation).
    seed = [[0.003, 0.67], [1.04, 0.115]]
    theta = 0.003 * 0.115 / (0.67 * 1.04)
    a, b = 1 - theta, 15 + 120 * theta
    t = 2 * 3500 * theta / (b + np.sqrt(b * b + 4 * a * 3500 * theta))
    fitted, _ = flows.cm2([50, 85], [70, 65], seed)
    # converged, the fit agrees to about 1e-13; stopped at statsmodels' default tolerance
    # (1e-8 on the deviance) it is off by about 1e-9
    np.testing.assert_allclose(fitted, [[t, 50 - t], [70 - t, 15 + t]], rtol=0, atol=1e-11)


def test_a_zero_seed_row_needs_a_zero_total():
    seed = np.array([[5.0, 2.0], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0 / 0 for the empty row, quietly
        np.testing.assert_allclose(flows.ipf2([7, 0], None, seed), seed)  # nothing to give it
    with pytest.raises(ValueError, match="row 1 of the seed m is all zero"):
        flows.ipf2([7, 0.5], None, seed)  # half a person (an estimate) still needs room


def test_sum_od_of_a_partial_long_table():
    # Only three flows are given; B appears only as a destination, and C before A.
    long = pd.DataFrame({"pob": ["C", "C", "A"], "orig": ["C", "A", "A"],
                         "dest": ["A", "B", "C"], "flow": [3.0, 1.0, 2.0]})
    od = flows.sum_od(long)
    assert od.index.name == "orig" and od.columns.name == "dest"
    assert list(od.index) == list(od.columns) == ["C", "A", "B"]  # order of first appearance
    np.testing.assert_array_equal(od.to_numpy(), [[0, 3, 0], [2, 0, 1], [0, 0, 0]])


def test_ffs_demo_rescales_a_world_gap_of_exactly_one():
    # Start: 100 natives in each of A and B, and half an A-born in B, half a B-born in A (201).
    # End: the 200 natives (200). gap = 0 - (200 - 201) = 1: the start natives lose 1/4 each
    # (99.75), the end natives gain 1/4 each (100.25); both tables hold 200.5, A-born 100.25
    # each. The half-persons return home: 99.75 stay, 0.5 move back.
    start = pd.DataFrame([[100, 0.5], [0.5, 100]], index=["A", "B"], columns=["A", "B"])
    end = pd.DataFrame([[100.0, 0], [0, 100]], index=["A", "B"], columns=["A", "B"])
    assert flows_of(flows.ffs_demo(start, end)) == pytest.approx(
        {("A", "A", "A"): 99.75, ("A", "B", "A"): 0.5, ("B", "A", "B"): 0.5, ("B", "B", "B"): 99.75})


def test_ffs_demo_takes_a_single_death_off_the_start():
    # 5 A-born in A at the start, 4 at the end, one death in A: nobody moved.
    s1, s2 = np.array([[5.0, 0], [0, 3]]), np.array([[4.0, 0], [0, 3]])
    assert flows_of(flows.ffs_demo(s1, s2, deaths=[1, 0])) == pytest.approx(
        {(0, 0, 0): 4, (1, 1, 1): 3})


def test_ffs_demo_refuses_deaths_or_births_larger_than_the_stocks_by_half_a_person():
    # Births and deaths balance, so the world total (11) does not change and no gap is spread.
    s = np.array([[5.0, 0], [0, 6]])
    with pytest.raises(ValueError, match="larger than the stocks"):
        flows.ffs_demo(s, s, births=[0, 5.5], deaths=[5.5, 0])  # 5.5 deaths among 5 in A
    with pytest.raises(ValueError, match="larger than the stocks"):
        flows.ffs_demo(s, s, births=[5.5, 0], deaths=[0, 5.5])  # 5.5 births where 5 live in A


def test_ffs_demo_rounding_noise_of_deaths_and_births_is_not_a_negative_stock():
    # Everyone living in A dies (start) or is born there (end): 0.7 + 0.2 + 0.1 adds up to
    # 0.9999999999999999, so the fit of 1 leaves cells at -1e-16: noise, set to 0.
    with_a = np.array([[0.7, 0, 0], [0.2, 5, 0], [0.1, 0, 5]])
    without_a = np.diag([0.0, 5, 5])
    for out in (flows.ffs_demo(with_a, without_a, deaths=[1, 0, 0]),
                flows.ffs_demo(without_a, with_a, births=[1, 0, 0])):
        assert flows_of(out) == pytest.approx({(1, 1, 1): 5, (2, 2, 2): 5})


def test_ffs_demo_open_world_by_hand():
    # A-born: 10 in A at the start; 4 in A and 1 in B at the end. 5 left the world ("open": in
    # proportion to the end table, 4 from A and 1 from B): start (10 - 4, 0 - 1) -> (6, 0); the
    # end (4, 1) is scaled to 6: (4.8, 1.2). 4.8 stay in A, 1.2 move A -> B.
    # B-born: (1, 4) at the start, (0, 10) at the end. 5 joined the world (in proportion to the
    # start table: 1 in A, 4 in B): end (0 - 1, 10 - 4) -> (0, 6), scaled to 5: (0, 5). 4 stay
    # in B, 1 moves A -> B.
    out = flows.ffs_demo(np.array([[10.0, 0], [1, 4]]), np.array([[4.0, 1], [0, 10]]),
                         match_birthplace_tot_method="open")
    assert flows_of(out) == pytest.approx({(0, 0, 0): 4.8, (0, 0, 1): 1.2, (1, 0, 1): 1,
                                           (1, 1, 1): 4})


def test_ffs_demo_open_world_with_a_birthplace_that_empties_is_quiet():
    # All 10 A-born left the world: no A-born anywhere at the end, so no flow of A-born.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = flows.ffs_demo(np.array([[10.0, 0], [0, 5]]), np.array([[0.0, 0], [0, 5]]),
                             match_birthplace_tot_method="open")
    assert flows_of(out) == {(1, 1, 1): 5}


def test_ffs_demo_treats_a_billionth_of_a_birthplace_as_rounding_noise():
    # Noise: below 1e-9 of the birthplace's population (here 1e8 + 5: 0.1 person); 1/16 is
    # noise, also in a cell where people stay. A-born: (1e8, 0, 5) -> (1e8 - 1, 15/16, 5 + 1/16):
    # 1 leaves A, 15/16 arrive in B (the 1/16 more in C is noise), scaled to 1: A -> B 1.
    # B-born: (5 + 1/16, 1e8 - 1, 15/16) -> (5, 1e8, 0): 15/16 leave C (the 1/16 fewer in A is
    # noise) and arrive in B (1, scaled to 15/16).
    start = np.array([[1e8, 0, 5], [5 + 1 / 16, 1e8 - 1, 15 / 16], [0, 0, 5]])
    end = np.array([[1e8 - 1, 15 / 16, 5 + 1 / 16], [5, 1e8, 0], [0, 0, 5]])
    assert flows_of(flows.ffs_demo(start, end)) == pytest.approx(
        {(0, 0, 0): 1e8 - 1, (0, 0, 1): 1, (0, 2, 2): 5, (1, 0, 0): 5, (1, 1, 1): 1e8 - 1,
         (1, 2, 1): 15 / 16, (2, 2, 2): 5})
    # Under one person the floor is 1: 2**-29 (1.9e-9) of a birthplace of 1/2 is a mover.
    tiny = 2.0 ** -29
    out = flows.ffs_demo(np.array([[0.5, 0], [0, 1]]), np.array([[0.5 - tiny, tiny], [0, 1]]))
    assert flows_of(out) == pytest.approx({(0, 0, 0): 0.5 - tiny, (0, 0, 1): tiny, (1, 1, 1): 1},
                                          rel=1e-9, abs=0)


def test_ffs_demo_leaves_arrivals_that_are_all_noise_alone():
    # A-born in a birthplace of 1e7 (noise below 0.01): 1/32 leave A, and 1/128 arrive in each
    # of B, C, D, E: every arrival is noise, so nobody moves; the 1/32 are lost as noise.
    start = np.diag([1e7, 1, 1, 1, 1])
    end = start.copy()
    end[0] = [1e7 - 1 / 32] + [1 / 128] * 4
    assert flows_of(flows.ffs_demo(start, end)) == pytest.approx(
        {(0, 0, 0): 1e7 - 1 / 32, (1, 1, 1): 1, (2, 2, 2): 1, (3, 3, 3): 1, (4, 4, 4): 1})


def test_ffs_demo_without_stayers_fits_a_birthplace_of_one_person():
    # One A-born moves from A to B: without the stayer assumption, the independence fit of
    # rows (1, 0) and columns (0, 1) is that one move.
    out = flows.ffs_demo(np.array([[1.0, 0], [0, 3]]), np.array([[0.0, 1], [0, 3]]),
                         stayer_assumption=False)
    assert flows_of(out) == pytest.approx({(0, 0, 1): 1, (1, 1, 1): 3})


def test_ffs_demo_fits_movers_that_need_thousands_of_iterations():
    # A-born: 1 leaves A and 1 leaves B; 1 arrives in C and 1 in D. The seed makes A -> D
    # 1e-5 as likely: the fit keeps the odds ratio, t^2 / (1 - t)^2 = 1 / 1e-5, so A -> C =
    # B -> D = t = 1 / (1 + sqrt(1e-5)) and A -> D = B -> C = 1 - t. IPF gets there slowly
    # (thousands of iterations, more than ipf2's default of 1000).
    start = np.diag([10.0, 10, 10, 10])
    end = start.copy()
    start[0] = [10, 1, 0, 0]
    end[0] = [9, 0, 1, 1]
    seed = np.ones((4, 4))
    seed[0, 3] = 1e-5
    t = 1 / (1 + np.sqrt(1e-5))
    got = flows_of(flows.ffs_demo(start, end, seed=seed))
    assert got == pytest.approx({(0, 0, 0): 9, (0, 0, 2): t, (0, 0, 3): 1 - t, (0, 1, 2): 1 - t,
                                 (0, 1, 3): t, (1, 1, 1): 10, (2, 2, 2): 10, (3, 3, 3): 10},
                                abs=1e-8)  # IPF stops within 1e-10 * 2 of the margins


def test_ffs_demo_gives_each_fit_100000_iterations(monkeypatch):
    # Fits near a structural zero converge slowly (the test above); ffs_demo allows each
    # 100 000 iterations before it gives up.
    asked = []
    real = flows.ipf2

    def spy(*args, **kwargs):
        asked.append(kwargs.get("maxit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(flows, "ipf2", spy)
    s1, s2 = np.array([[10.0, 2], [1, 4]]), np.array([[8.0, 3], [2, 5]])
    flows.ffs_demo(s1, s2)  # the birthplace totals differ: both tables are refitted
    flows.ffs_demo(s1, s2, stayer_assumption=False)
    assert len(asked) >= 5 and set(asked) == {100_000}


def test_a_difference_of_exactly_the_noise_limit_is_noise():
    # Birthplaces of exactly 1e9: the noise limit is 1e-9 * 1e9 = 1 person, and "noise" is up to
    # and including it. A-born: 1 leaves B (noise) and 2 leave C; 3 arrive in D, scaled to the
    # 2 real leavers: C -> D 2. B-born: 3 leave C; 1 arrives in A (noise) and 2 in D, scaled to
    # 3: C -> D 3.
    big = 1e9 - 3
    start = np.array([[big, 1, 2, 0], [0, big, 3, 0], [0, 0, 5, 0], [0, 0, 0, 5]])
    end = np.array([[big, 0, 0, 3], [1, big, 0, 2], [0, 0, 5, 0], [0, 0, 0, 5]])
    assert flows_of(flows.ffs_demo(start, end)) == pytest.approx(
        {(0, 0, 0): big, (0, 2, 3): 2, (1, 1, 1): big, (1, 2, 3): 3, (2, 2, 2): 5, (3, 3, 3): 5})
