"""Tests of migstats.flows against worked examples published for each method.

Every expected number below is copied from a published source, named next to it:
- migest reference manual, version 2.0.5 (G. J. Abel), the "Examples" output of the help pages
  ipf2, cm2, ffs_demo and ffs_diff as rendered on the package website
  (github.com/guyabel/migest, reference/*.html);
- the 2 x 2 example there is Willekens (1999), Mathematical Population Studies 7(3), 239-278;
- the 4 x 4 stock tables are those of Abel (2013), Demographic Research 28(18), Abel and Sander
  (2014, Science, supplementary material) and Abel and Cohen (2019, Scientific Data).
None is computed by the code under test.
"""

import numpy as np
import pandas as pd
import pytest

from migstats import flows

AB = ["A", "B"]
ABCD = ["A", "B", "C", "D"]


def r_matrix(values, n, byrow):
    """An R matrix(values, nrow = n, byrow = byrow) as a NumPy array."""
    return np.array(values, dtype=float).reshape(n, n, order="C" if byrow else "F")


# --- ipf2 --------------------------------------------------------------------------------------

# Willekens (1999), via migest's ipf2 and cm2 help pages: margins (18, 20) and (16, 22),
# seed matrix(c(5, 1, 2, 7), ncol = 2) (filled by column).
WILLEKENS_SEED = r_matrix([5, 1, 2, 7], 2, byrow=False)
WILLEKENS_FIT = np.array([[13.250194, 4.749808], [2.749806, 17.250192]])  # cm2 help page, $n


def test_ipf2_willekens_example_plain_arrays():
    fit = flows.ipf2([18, 20], [16, 22], WILLEKENS_SEED)
    assert isinstance(fit, np.ndarray)
    # migest printed the values to 6 decimals after stopping at tolerance 1e-6.
    np.testing.assert_allclose(fit, WILLEKENS_FIT, atol=5e-6)


def test_ipf2_willekens_example_labelled():
    seed = pd.DataFrame(WILLEKENS_SEED, index=AB, columns=AB)
    fit = flows.ipf2(pd.Series([18, 20], index=AB), pd.Series([16, 22], index=AB), seed)
    assert isinstance(fit, pd.DataFrame)
    assert list(fit.index) == AB and list(fit.columns) == AB
    assert fit.index.name == "orig" and fit.columns.name == "dest"
    # ipf2 help page: round(addmargins(y$mu), 2)
    np.testing.assert_allclose(fit.round(2).to_numpy(), [[13.25, 4.75], [2.75, 17.25]])


def test_ipf2_labelled_margins_are_aligned_by_label():
    seed = pd.DataFrame(WILLEKENS_SEED, index=AB, columns=AB)
    fit = flows.ipf2(pd.Series([20, 18], index=["B", "A"]), pd.Series([22, 16], index=["B", "A"]), seed)
    np.testing.assert_allclose(fit.loc["A", "A"], 13.250194, atol=5e-6)


def test_ipf2_independence_fit():
    # ipf2 help page, "with all elements of offset equal": 7.58 10.42 / 8.42 11.58.
    fit = flows.ipf2([18, 20], [16, 22])
    np.testing.assert_allclose(fit.round(2), [[7.58, 10.42], [8.42, 11.58]])


def test_ipf2_three_by_three_with_a_structural_zero():
    # ipf2 help page, "with bigger matrix": round(addmargins(y$mu)).
    seed = r_matrix([50, 10, 220, 120, 120, 30, 545, 0, 10], 3, byrow=False)
    fit = flows.ipf2([170, 120, 410], [500, 140, 60], seed)
    np.testing.assert_array_equal(np.round(fit), [[72, 40, 59], [32, 88, 0], [396, 12, 1]])
    assert fit[1, 2] == 0  # the zero seed cell stays exactly zero


def test_ipf2_one_margin_only():
    # ipf2 help page, "only one margin known": 13 5 / 2 18 (R rounds 2.5 and 17.5 to even).
    fit = flows.ipf2([18, 20], None, WILLEKENS_SEED)
    np.testing.assert_allclose(np.round(fit), [[13, 5], [2, 18]])
    # Exactly: each seed row scaled to its total, 18 * (5, 2) / 7 and 20 * (1, 7) / 8.
    np.testing.assert_allclose(fit, [[90 / 7, 36 / 7], [5 / 2, 35 / 2]], rtol=1e-12)
    np.testing.assert_allclose(fit.sum(axis=1), [18, 20])


def test_ipf2_is_the_table_closest_to_the_seed():
    """Among tables with the same margins, the IPF fit has the smallest Kullback-Leibler divergence
    from the seed (Ireland and Kullback 1968). Moving mass around any 2 x 2 cycle keeps the margins
    and, checked here by brute force, always increases the divergence."""
    seed = r_matrix([0, 100, 30, 70, 50, 0, 45, 5, 60, 35, 0, 40, 20, 25, 20, 0], 4, byrow=True)
    fit = flows.ipf2([250, 100, 140, 110], [150, 150, 180, 120], seed)

    def kl(t):
        live = seed > 0
        return np.sum(t[live] * np.log(t[live] / seed[live])) - t.sum() + seed.sum()

    best = kl(fit)
    # rows i, j and columns k, l off the diagonal, so no structural zero is touched
    for i, j, k, l in [(0, 1, 2, 3), (2, 3, 0, 1), (0, 2, 1, 3), (1, 3, 0, 2)]:
        for eps in (-0.5, 0.5):
            moved = fit.copy()
            moved[i, k] += eps
            moved[i, l] -= eps
            moved[j, k] -= eps
            moved[j, l] += eps
            np.testing.assert_allclose(moved.sum(axis=0), fit.sum(axis=0))
            np.testing.assert_allclose(moved.sum(axis=1), fit.sum(axis=1))
            assert kl(moved) > best


# --- cm2 ---------------------------------------------------------------------------------------

def test_cm2_willekens_fit_and_parameters():
    seed = pd.DataFrame(WILLEKENS_SEED, index=AB, columns=AB)
    fitted, params = flows.cm2(pd.Series([18, 20], index=AB), pd.Series([16, 22], index=AB), seed)
    np.testing.assert_allclose(fitted.to_numpy(), WILLEKENS_FIT, atol=5e-6)
    # cm2 help page, $theta: alpha = (2.4853919, 2.5789604), beta = (1.0662459, 0.9555451).
    # Only the products alpha_i * beta_j are identified; they equal exp(intercept + orig_i + dest_j).
    alpha, beta = np.array([2.4853919, 2.5789604]), np.array([1.0662459, 0.9555451])
    ours = np.exp(params["intercept"] + np.array([[0, params["dest[B]"]],
                                                  [params["orig[B]"], params["orig[B]"] + params["dest[B]"]]]))
    np.testing.assert_allclose(ours, np.outer(alpha, beta), rtol=1e-5)


def test_cm2_independence_parameters():
    # cm2 help page, offsets all 1: alpha = (9, 10), beta = (0.8421053, 1.1578947).
    fitted, params = flows.cm2([18, 20], [16, 22])
    np.testing.assert_allclose(fitted, np.outer([9, 10], [0.8421053, 1.1578947]), rtol=1e-6)
    np.testing.assert_allclose(np.exp(params["orig[1]"]), 10 / 9, rtol=1e-6)


def test_cm2_four_by_four_with_zero_diagonal():
    # cm2 help page, "with bigger matrix": seed with a zero diagonal, filled by row.
    seed = r_matrix([0, 100, 30, 70, 50, 0, 45, 5, 60, 35, 0, 40, 20, 25, 20, 0], 4, byrow=True)
    fitted, params = flows.cm2([250, 100, 140, 110], [150, 150, 180, 120], seed)
    np.testing.assert_array_equal(np.round(fitted),
                                  [[0, 97, 73, 80], [41, 0, 56, 3], [76, 27, 0, 37], [33, 26, 51, 0]])
    # The last iteration printed there: alpha and beta to 7 digits; fitted = alpha_i beta_j m_ij.
    alpha = np.array([1.430342, 0.7389095, 1.147394, 1.509114])
    beta = np.array([1.103173, 0.6789764, 1.692629, 0.8015271])
    np.testing.assert_allclose(fitted, np.outer(alpha, beta) * seed, rtol=1e-5)
    assert np.all(np.diag(fitted) == 0)
    assert len(params) == 1 + 3 + 3


def test_cm2_matches_ipf2_on_labelled_data():
    seed = pd.DataFrame(r_matrix([0, 100, 30, 70, 50, 0, 45, 5, 60, 35, 0, 40, 20, 25, 20, 0], 4, True),
                        index=ABCD, columns=ABCD)
    rows, cols = pd.Series([250, 100, 140, 110], index=ABCD), pd.Series([150, 150, 180, 120], index=ABCD)
    fitted, params = flows.cm2(rows, cols, seed)
    pd.testing.assert_frame_equal(fitted, flows.ipf2(rows, cols, seed), atol=1e-6)
    assert {"intercept", "orig[B]", "dest[D]"} <= set(params.index)


# --- ffs_diff ----------------------------------------------------------------------------------

DIFF_S1 = r_matrix([100, 10, 10, 0, 20, 55, 25, 10, 10, 40, 140, 65, 20, 25, 20, 200], 4, byrow=True)
DIFF_S2 = r_matrix([75, 25, 5, 15, 20, 45, 30, 15, 30, 40, 150, 35, 10, 50, 5, 200], 4, byrow=True)


def test_ffs_diff_zero_and_return():
    # ffs_diff help page, decrease = "zero" and decrease = "return".
    zero = flows.sum_od(flows.ffs_diff(DIFF_S1, DIFF_S2, decrease="zero"))
    np.testing.assert_array_equal(zero, [[0, 15, 0, 15], [0, 0, 5, 5], [20, 0, 0, 0], [0, 25, 0, 0]])
    ret = flows.sum_od(flows.ffs_diff(DIFF_S1, DIFF_S2))
    np.testing.assert_array_equal(ret, [[0, 15, 0, 25], [0, 0, 5, 5], [25, 0, 0, 15], [0, 25, 30, 0]])


def test_ffs_diff_long_form_and_labels():
    s1 = pd.DataFrame(DIFF_S1, index=ABCD, columns=ABCD)
    s2 = pd.DataFrame(DIFF_S2, index=ABCD, columns=ABCD)
    out = flows.ffs_diff(s1, s2)
    assert list(out.columns) == ["pob", "orig", "dest", "flow"]
    assert len(out) == 4 ** 3
    # The fall of the A-born in C (10 -> 5) is read as 5 returns of A-born from C to A.
    row = out[(out.pob == "A") & (out.orig == "C") & (out.dest == "A")]
    assert row.flow.item() == 5


# --- ffs_demo ----------------------------------------------------------------------------------

ABEL_S1 = r_matrix([1000, 100, 10, 0, 55, 555, 50, 5, 80, 40, 800, 40, 20, 25, 20, 200], 4, byrow=True)
ABEL_S2 = r_matrix([950, 100, 60, 0, 80, 505, 75, 5, 90, 30, 800, 40, 40, 45, 0, 180], 4, byrow=True)


def test_ffs_demo_abel_2013_example():
    # Abel (2013) and Abel and Sander (2014); ffs_demo help page, e0 and sum_od(e0): 150 moves.
    s1 = pd.DataFrame(ABEL_S1, index=ABCD, columns=ABCD)
    s2 = pd.DataFrame(ABEL_S2, index=ABCD, columns=ABCD)
    out = flows.ffs_demo(s1, s2, births=[0] * 4, deaths=[0] * 4)
    assert list(out.columns) == ["pob", "orig", "dest", "flow"]
    od = flows.sum_od(out)
    assert list(od.index) == ABCD and list(od.columns) == ABCD
    np.testing.assert_allclose(od, [[0, 0, 50, 0], [35, 0, 25, 0], [10, 10, 0, 0], [10, 10, 0, 0]], atol=1e-6)
    assert od.to_numpy().sum() == pytest.approx(150)
    # e0, pob = B: 55 stay in A, 25 move B -> A, 505 stay in B, 25 move B -> C.
    b = out[out.pob == "B"].pivot(index="orig", columns="dest", values="flow")
    np.testing.assert_allclose(b, [[55, 0, 0, 0], [25, 505, 25, 0], [0, 0, 50, 0], [0, 0, 0, 5]], atol=1e-6)


def test_ffs_demo_imr_example():
    # Abel (2018, International Migration Review); ffs_demo help page, sum_od(e1): 100 moves.
    s1 = r_matrix([100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200], 4, byrow=False)
    s2 = r_matrix([70, 25, 10, 40, 30, 60, 55, 45, 10, 10, 140, 0, 10, 15, 50, 180], 4, byrow=False)
    od = flows.sum_od(flows.ffs_demo(s1, s2))
    np.testing.assert_allclose(od, [[0, 20, 0, 10], [0, 0, 0, 0], [15, 15, 0, 5], [10, 25, 0, 0]], atol=1e-6)


def test_ffs_demo_with_births_and_deaths():
    # Abel and Sander (2014) supplementary example; ffs_demo help page, sum_od(e5).
    s1 = r_matrix([1000, 55, 80, 20, 100, 555, 40, 25, 10, 50, 800, 20, 0, 5, 40, 200], 4, byrow=False)
    s2 = r_matrix([1060, 45, 70, 30, 60, 540, 75, 30, 10, 40, 770, 20, 10, 0, 70, 230], 4, byrow=False)
    published = np.array([[0.000000000, 3.328563, 0.0000000, 3.242990],
                          [34.120952437, 0.000000, 0.5838738, 9.809336],
                          [0.004365738, 27.127753, 0.0000000, 25.711331],
                          [12.446119999, 9.058478, 2.2595262, 0.000000]])
    od = flows.sum_od(flows.ffs_demo(s1, s2, births=[80, 20, 60, 60], deaths=[70, 30, 50, 10]))
    # migest stops its IPF at tolerance 1e-3 (mipfp); we iterate to convergence.
    np.testing.assert_allclose(od, published, atol=0.01)
    assert od.to_numpy().sum() == pytest.approx(127.693289, abs=0.01)


DR_S1 = r_matrix([1000, 55, 80, 20, 100, 555, 40, 25, 10, 50, 800, 20, 0, 5, 40, 200], 4, byrow=False)
DR_S2 = r_matrix([1060, 45, 70, 30, 60, 540, 75, 30, 10, 40, 770, 20, 10, 0, 70, 230], 4, byrow=False)


@pytest.mark.parametrize("method, published, total", [
    # Abel (2013, Demographic Research) with births and deaths; ffs_demo help page, sum_od(e3).
    ("open-dr", [[0, 8.502866, 0, 3.695332], [26.42296, 0, 0.4234563, 9.855274],
                 [0, 34.183358, 0, 25.077888], [11.46761, 10.933241, 1.3928875, 0]], 131.95487),
    # The same data, "makes more sense to use this method"; sum_od(e4).
    ("open", [[0, 8.897732, 0, 3.852711], [26.81098, 0, 0.4296748, 10.0],
              [0, 35.677466, 0, 26.145924], [11.62571, 11.251175, 1.4120903, 0]], 136.10346),
])
def test_ffs_demo_open_world_variants(method, published, total):
    od = flows.sum_od(flows.ffs_demo(DR_S1, DR_S2, births=[80, 20, 40, 60], deaths=[70, 30, 50, 10],
                                     match_birthplace_tot_method=method))
    np.testing.assert_allclose(od, published, atol=0.01)
    assert od.to_numpy().sum() == pytest.approx(total, abs=0.01)


def test_ffs_demo_rejects_an_unknown_birthplace_method():
    with pytest.raises(ValueError, match="match_birthplace_tot_method must be one of"):
        flows.ffs_demo(ABEL_S1, ABEL_S2, match_birthplace_tot_method="close")


def test_ffs_demo_seed_sets_the_odds_ratio_of_the_movers():
    """Born in A: 20 leave A and 10 leave B; 5 arrive in C and 25 in D (no other change).
    The movers form a 2 x 2 table (rows A, B; columns C, D) with these margins. IPF keeps the
    seed's odds ratio (Bishop, Fienberg and Holland 1975, ch. 3): 1 with the flat seed, 6 with
    the seed below. The 2 x 2 table with given margins and odds ratio is solved by hand."""
    s1 = np.array([[100, 10, 0, 0], [0, 50, 0, 0], [0, 0, 50, 0], [0, 0, 0, 50]], dtype=float)
    s2 = np.array([[80, 0, 5, 25], [0, 50, 0, 0], [0, 0, 50, 0], [0, 0, 0, 50]], dtype=float)
    seed = np.ones((4, 4))
    seed[0, 2], seed[1, 3] = 3, 2   # odds ratio (3 * 2) / (1 * 1) = 6

    def movers(**kw):
        out = flows.ffs_demo(s1, s2, **kw)
        a = out[out.pob == 0].pivot(index="orig", columns="dest", values="flow").to_numpy()
        return a[np.ix_([0, 1], [2, 3])]

    # flat seed: independence, x = 20 * 5 / 30
    np.testing.assert_allclose(movers(), [[20 * 5 / 30, 20 * 25 / 30], [10 * 5 / 30, 10 * 25 / 30]], atol=1e-6)
    # odds ratio 6: x (5 + x) = 6 (20 - x)(5 - x), with x = A -> C and 10 - (5 - x) = B -> D
    x = np.roots([5, -155, 600])
    x = x[(x > 0) & (x < 5)][0]
    np.testing.assert_allclose(movers(seed=seed), [[x, 20 - x], [5 - x, 5 + x]], atol=1e-6)
    with pytest.raises(ValueError, match="only with stayer_assumption=True"):
        flows.ffs_demo(s1, s2, seed=seed, stayer_assumption=False)


def test_ffs_demo_scientific_data_example():
    # Abel and Cohen (2019, Scientific Data); ffs_demo help page, sum_od(e7): 160 moves.
    s1 = r_matrix([100, 80, 30, 60, 10, 180, 10, 70, 10, 10, 140, 10, 0, 90, 40, 160], 4, byrow=False)
    s2 = r_matrix([95, 75, 55, 35, 5, 225, 0, 25, 15, 5, 115, 25, 5, 55, 50, 215], 4, byrow=False)
    published = np.array([[0, 5, 7.857143, 22.142857], [7.142857, 0, 12.142857, 40.714286],
                          [17.857143, 5, 0, 7.142857], [0, 35, 0, 0]])
    od = flows.sum_od(flows.ffs_demo(s1, s2))
    np.testing.assert_allclose(od, published, atol=1e-5)


def test_ffs_demo_without_stayer_assumption_is_the_independence_fit():
    # With stayer_assumption=False each place of birth gets the independence table
    # start_i * end_j / total (Bishop, Fienberg and Holland 1975, ch. 3): a closed form.
    out = flows.ffs_demo(ABEL_S1, ABEL_S2, stayer_assumption=False)
    for p in range(4):
        table = out[out.pob == p].pivot(index="orig", columns="dest", values="flow").to_numpy()
        expected = np.outer(ABEL_S1[p], ABEL_S2[p]) / ABEL_S1[p].sum()
        np.testing.assert_allclose(table, expected, atol=1e-6)
    # It moves far more people than the minimum-migration solution (150 moves).
    assert flows.sum_od(out).to_numpy().sum() > 150


# --- bad input ---------------------------------------------------------------------------------

def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="row_tot has a negative count"):
        flows.ipf2([-1, 39], [16, 22])
    with pytest.raises(ValueError, match="stock_end has a negative count"):
        flows.ffs_demo(ABEL_S1, -ABEL_S2)


def test_margins_with_different_totals_are_rejected():
    with pytest.raises(ValueError, match=r"sum\(row_tot\) = 38 but sum\(col_tot\) = 39"):
        flows.ipf2([18, 20], [17, 22])
    with pytest.raises(ValueError, match="same total"):
        flows.cm2([18, 20], [17, 22])


def test_shapes_that_do_not_match_are_rejected():
    with pytest.raises(ValueError, match="row_tot has 3 values but the seed m has 2 rows"):
        flows.ipf2([10, 10, 18], [16, 22], WILLEKENS_SEED)
    with pytest.raises(ValueError, match="must be square"):
        flows.ffs_demo(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="births has 3 values"):
        flows.ffs_demo(ABEL_S1, ABEL_S2, births=[1, 2, 3])
    with pytest.raises(ValueError, match="labels of col_tot"):
        flows.ipf2(pd.Series([18, 20], index=AB), pd.Series([16, 22], index=["A", "Z"]),
                   pd.DataFrame(WILLEKENS_SEED, index=AB, columns=AB))


def test_ipf_that_cannot_converge_raises():
    # Zero diagonal in a 2 x 2 table: the only flows are A -> B and B -> A, so the row
    # totals (10, 20) force column totals (20, 10); asking for (10, 20) is impossible.
    seed = np.array([[0, 1], [1, 0]])
    with pytest.raises(RuntimeError, match="did not converge in maxit = 50"):
        flows.ipf2([10, 20], [10, 20], seed, maxit=50)
    with pytest.raises(ValueError, match="structural zeros leave no room"):
        flows.cm2([10, 20], [10, 20], seed)


def test_empty_seed_row_with_positive_total_is_rejected():
    with pytest.raises(ValueError, match="row 1 of the seed m is all zero"):
        flows.ipf2([18, 20], [16, 22], np.array([[5, 2], [0, 0]]))


def test_sum_od_needs_a_flow_table():
    with pytest.raises(ValueError, match="missing the column"):
        flows.sum_od(pd.DataFrame({"orig": ["A"], "dest": ["B"]}))


def test_inputs_are_not_changed():
    s1, s2 = ABEL_S1.copy(), ABEL_S2.copy()
    flows.ffs_demo(s1, s2, births=[10, 0, 0, 0], deaths=[0, 0, 0, 0])
    np.testing.assert_array_equal(s1, ABEL_S1)
    np.testing.assert_array_equal(s2, ABEL_S2)


# --- checks and edge cases (found by mutation testing) --------------------------------------------

def test_ffs_demo_seed_must_have_the_stock_countries_in_order():
    s1 = pd.DataFrame(ABEL_S1, index=ABCD, columns=ABCD)
    s2 = pd.DataFrame(ABEL_S2, index=ABCD, columns=ABCD)
    flat = pd.DataFrame(np.ones((4, 4)), index=ABCD, columns=ABCD)
    same = flows.sum_od(flows.ffs_demo(s1, s2, seed=flat))
    np.testing.assert_allclose(same, flows.sum_od(flows.ffs_demo(s1, s2)), atol=1e-6)
    for wrong in (flat.loc[list("BACD")], flat[list("BACD")], flat.set_axis(list("ABCE"), axis=0)):
        with pytest.raises(ValueError, match="seed must have the countries of the stock tables"):
            flows.ffs_demo(s1, s2, seed=wrong)
    with pytest.raises(ValueError, match="^seed must be a two-way table"):
        flows.ffs_demo(s1, s2, seed=np.ones(4))


def test_ffs_demo_reads_births_and_deaths_by_country_label():
    s1 = pd.DataFrame(ABEL_S1, index=ABCD, columns=ABCD)
    s2 = pd.DataFrame(ABEL_S2, index=ABCD, columns=ABCD)
    births, deaths = [80, 20, 60, 60], [70, 30, 50, 10]
    ordered = flows.ffs_demo(s1, s2, births=births, deaths=deaths)
    shuffled = flows.ffs_demo(s1, s2, births=pd.Series(births, index=ABCD)[::-1],
                              deaths=pd.Series(deaths, index=ABCD)[::-1])
    pd.testing.assert_frame_equal(ordered, shuffled)


def test_cm2_gives_minus_infinity_to_an_empty_row_and_column():
    # Row B and column A have total 0: no flow can leave B or reach A.
    fitted, params = flows.cm2(pd.Series([18, 0, 20], index=list("ABC")),
                               pd.Series([0, 16, 22], index=list("ABC")))
    assert fitted.loc["B"].sum() == 0 and fitted["A"].sum() == 0
    assert params.name == "estimate"
    assert params["orig[B]"] == -np.inf and params["dest[A]"] == -np.inf
    assert np.isfinite(params.drop(["orig[B]", "dest[A]"])).all()
    np.testing.assert_allclose(fitted.to_numpy(), flows.ipf2(row_tot=[18, 0, 20], col_tot=[0, 16, 22]), atol=1e-6)


def test_cm2_needs_both_margins():
    with pytest.raises(ValueError, match="row_tot"):
        flows.cm2([18, 20], None, np.ones((2, 2)))
    with pytest.raises(ValueError, match="col_tot"):
        flows.cm2(None, [16, 22], np.ones((2, 2)))
