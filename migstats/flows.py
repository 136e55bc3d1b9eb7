"""Estimating migration flows: harmonising flow tables and flows from stocks.

The names and arguments follow the R package migest (G. J. Abel), so that a statistician who
knows it finds them at once. Flow tables have the origin in rows and the destination in
columns; stock tables have the place of birth in rows and the place of residence in columns.
Each function takes plain NumPy arrays or pandas objects labelled by country.

The course implements these methods itself, for teaching; ``tests/test_flows.py`` checks them
against the worked examples that migest's documentation publishes (from Willekens 1999 and
Abel 2013), not against this code's own output.

- :func:`ipf2`: two-way iterative proportional fitting (IPF) to known margins.
- :func:`cm2`: the same fit as a Poisson log-linear model with an offset (statsmodels GLM).
- :func:`ffs_diff`: flows as the naive difference of two bilateral stock tables.
- :func:`ffs_demo`: flows from two stock tables by demographic accounting (Abel 2013).
- :func:`sum_od`: the origin-destination matrix of a long flow table.
"""

import numpy as np
import pandas as pd

__all__ = ["ipf2", "cm2", "ffs_diff", "ffs_demo", "sum_od"]

MARGIN_RTOL = 1e-6  # margins whose totals differ by more than this share of the total are rejected


# ---------------------------------------------------------------------------------------------
# Input checks and labels
# ---------------------------------------------------------------------------------------------

def _vector(x, name):
    """A 1-D float array and its labels (None for plain sequences)."""
    labels = list(x.index) if isinstance(x, pd.Series) else None
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise ValueError(f"{name} must be one column of totals; got a table with {x.shape[1]} columns.")
        labels, x = list(x.index), x.iloc[:, 0]
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a vector of totals; got an array of shape {arr.shape}.")
    _check_counts(arr, name)
    return arr, labels


def _matrix(x, name):
    """A 2-D float array and its (row, column) labels (None for plain arrays)."""
    if isinstance(x, pd.DataFrame):
        labels = (list(x.index), list(x.columns))
    else:
        labels = None
    arr = np.array(x, dtype=float)  # a copy: the caller's table is never changed
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a two-way table (a matrix); got an array of shape {arr.shape}.")
    _check_counts(arr, name)
    return arr, labels


def _check_counts(arr, name):
    if np.isnan(arr).any():
        raise ValueError(f"{name} has missing values (NaN). Fill them (0 where there is truly nobody) "
                         "or drop the country from every input.")
    if (arr < 0).any():
        bad = arr[arr < 0].min()
        raise ValueError(f"{name} has a negative count ({bad:g}). Counts of people cannot be negative: "
                         "check the input for a subtraction that went below zero.")


def _check_totals(row_tot, col_tot, rtol=MARGIN_RTOL):
    r, c = row_tot.sum(), col_tot.sum()
    if abs(r - c) > rtol * max(r, c, 1.0):
        raise ValueError(f"the margins do not add up to the same total: sum(row_tot) = {r:,.6g} but "
                         f"sum(col_tot) = {c:,.6g}. A flow table has one total; rescale one margin "
                         "(for example col_tot * sum(row_tot) / sum(col_tot)) before fitting.")


def _labels_for(m_labels, row_labels, col_labels, shape):
    """Row and column labels for the output, or None when nothing is labelled."""
    rows = m_labels[0] if m_labels else row_labels
    cols = m_labels[1] if m_labels else col_labels
    if rows is None and cols is None:
        return None
    rows = rows if rows is not None else list(range(shape[0]))
    cols = cols if cols is not None else list(range(shape[1]))
    return rows, cols


def _align(vec, labels, target, name):
    """Reorder a labelled vector to the target labels (error if the label sets differ)."""
    if labels is None or target is None or list(labels) == list(target):
        return vec
    if set(labels) != set(target):
        raise ValueError(f"the labels of {name} ({sorted(map(str, labels))}) do not match the labels of "
                         f"the table ({sorted(map(str, target))}). Use the same countries in every input.")
    pos = {lab: i for i, lab in enumerate(labels)}
    return vec[[pos[t] for t in target]]


def _frame(arr, labels, index_name="orig", columns_name="dest"):
    if labels is None:
        return arr
    return pd.DataFrame(arr, index=pd.Index(labels[0], name=index_name),
                        columns=pd.Index(labels[1], name=columns_name))


# ---------------------------------------------------------------------------------------------
# Two-way fitting
# ---------------------------------------------------------------------------------------------

def _prepare_margins(row_tot, col_tot, m):
    """Checked arrays for ipf2 and cm2: (row_tot, col_tot, m, labels)."""
    if row_tot is None and col_tot is None:
        raise ValueError("give at least one margin: row_tot (origin totals) or col_tot (destination totals).")
    r, r_lab = _vector(row_tot, "row_tot") if row_tot is not None else (None, None)
    c, c_lab = _vector(col_tot, "col_tot") if col_tot is not None else (None, None)
    if m is None:
        if r is None or c is None:
            raise ValueError("with only one margin, give the seed table m too (its other margin is kept).")
        m_arr, m_lab = np.ones((len(r), len(c))), None
    else:
        m_arr, m_lab = _matrix(m, "m")
    nr, nc = m_arr.shape
    if r is not None and len(r) != nr:
        raise ValueError(f"row_tot has {len(r)} values but the seed m has {nr} rows; give one origin total per row.")
    if c is not None and len(c) != nc:
        raise ValueError(f"col_tot has {len(c)} values but the seed m has {nc} columns; "
                         "give one destination total per column.")
    if r is not None and c is not None:
        _check_totals(r, c)
    labels = _labels_for(m_lab, r_lab, c_lab, m_arr.shape)
    if labels is not None:
        if r is not None:
            r = _align(r, r_lab, labels[0], "row_tot")
        if c is not None:
            c = _align(c, c_lab, labels[1], "col_tot")
    for vec, axis, what in ((r, 1, "row"), (c, 0, "column")):
        if vec is None:
            continue
        empty = (m_arr.sum(axis=axis) == 0) & (vec > 0)
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            name = labels[0 if axis == 1 else 1][i] if labels else i
            raise ValueError(f"{what} {name!r} of the seed m is all zero, so IPF cannot give it the positive "
                             f"total {vec[i]:g}. Put small positive seed values in that {what}, or check its total.")
    return r, c, m_arr, labels


def ipf2(row_tot=None, col_tot=None, m=None, tol=1e-10, maxit=1000):
    """Two-way iterative proportional fitting of a flow table to known margins.

    Scales the rows of the seed ``m`` to the origin totals ``row_tot`` and its columns to the
    destination totals ``col_tot``, in turn, until both margins fit. Among all tables with these
    margins, the result is the one closest to the seed in Kullback-Leibler divergence (Ireland
    and Kullback 1968); it keeps the interaction pattern (the odds ratios) of ``m`` and has the
    form ``y_ij = a_i b_j m_ij`` (Willekens 1999; Deming and Stephan 1940). Cells where ``m``
    is 0 stay 0 (structural zeros, such as the diagonal of a flow table). As migest's ``ipf2``,
    either margin may be None: then only the other is fitted.

    Parameters
    ----------
    row_tot, col_tot : sequence or pandas Series
        Origin totals (one per row) and destination totals (one per column).
    m : 2-D array or DataFrame, optional
        Seed (prior) table. Default: all ones (the independence fit).
    tol : float
        Convergence: stop when no margin is off by more than ``tol`` times the table total.
    maxit : int
        Maximum number of iterations (one iteration scales rows, then columns).

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        The fitted table; a DataFrame (index ``orig``, columns ``dest``) when any input is labelled.
    """
    r, c, m_arr, labels = _prepare_margins(row_tot, col_tot, m)
    mu = m_arr.copy()
    total = max((r if r is not None else c).sum(), 1.0)
    gap = np.inf
    for _ in range(maxit):
        if r is not None:
            mu *= _ratio(r, mu.sum(axis=1))[:, None]
        if c is not None:
            mu *= _ratio(c, mu.sum(axis=0))[None, :]
        gap = 0.0
        if r is not None:
            gap = max(gap, np.abs(mu.sum(axis=1) - r).max())
        if c is not None:
            gap = max(gap, np.abs(mu.sum(axis=0) - c).max())
        if gap <= tol * total:
            return _frame(mu, labels)
    raise RuntimeError(f"ipf2 did not converge in maxit = {maxit} iterations: a margin is still off by "
                       f"{gap:.3g}. The margins may be impossible with the zeros of m (a structural zero "
                       "can leave no room for a total); check them, or raise maxit.")


def _ratio(target, current):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(current > 0, target / current, 0.0)


def cm2(row_tot, col_tot, m=None):
    """The two-way fit of :func:`ipf2` as a Poisson log-linear model with an offset.

    Fits ``log y_ij = intercept + orig_i + dest_j + log m_ij`` with statsmodels' Poisson GLM,
    where ``log m_ij`` is an offset (a term with its coefficient fixed at 1): the "congruent"
    model of Willekens (1999), which migest's ``cm2`` fits by conditional maximisation. The
    margins are the model's sufficient statistics, so the response can be any non-negative table
    with these margins; we take one from a small linear programme. Cells where ``m`` is 0 are
    structural zeros: they are left out of the model and fitted as 0. The fitted table equals
    the IPF result.

    Returns
    -------
    fitted : numpy.ndarray or pandas.DataFrame
        The fitted table (a DataFrame when any input is labelled).
    params : pandas.Series
        Log-linear parameters, with the first origin and destination as reference (0):
        ``intercept``, ``orig[<label>]``, ``dest[<label>]``. ``exp(intercept + orig_i + dest_j)``
        is migest's ``alpha_i * beta_j``. A row or column whose total is 0 gets ``-inf``.
    """
    import statsmodels.api as sm
    from scipy.optimize import linprog

    if row_tot is None or col_tot is None:
        raise ValueError("cm2 needs both margins, row_tot and col_tot; for one margin use ipf2.")
    r, c, m_arr, labels = _prepare_margins(row_tot, col_tot, m)
    nr, nc = m_arr.shape
    row_names = [str(x) for x in labels[0]] if labels else [str(i) for i in range(nr)]
    col_names = [str(x) for x in labels[1]] if labels else [str(j) for j in range(nc)]
    live_r, live_c = r > 0, c > 0
    cells = [(i, j) for i in range(nr) for j in range(nc) if m_arr[i, j] > 0 and live_r[i] and live_c[j]]
    rows_used = sorted({i for i, _ in cells})
    cols_used = sorted({j for _, j in cells})

    # A pseudo-response with the right margins (any such table gives the same fit).
    a_eq = np.zeros((len(rows_used) + len(cols_used), len(cells)))
    for k, (i, j) in enumerate(cells):
        a_eq[rows_used.index(i), k] = 1
        a_eq[len(rows_used) + cols_used.index(j), k] = 1
    b_eq = np.concatenate([r[rows_used], c[cols_used]])
    lp = linprog(np.zeros(len(cells)), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if lp.status != 0:
        raise ValueError("no table with these margins fits the zeros of m: the structural zeros leave no "
                         "room for some total. Check the margins and the zero cells of m.")

    design = np.zeros((len(cells), 1 + len(rows_used) - 1 + len(cols_used) - 1))
    design[:, 0] = 1
    for k, (i, j) in enumerate(cells):
        ri, cj = rows_used.index(i), cols_used.index(j)
        if ri > 0:
            design[k, ri] = 1
        if cj > 0:
            design[k, len(rows_used) - 1 + cj] = 1
    offset = np.log([m_arr[i, j] for i, j in cells])
    fit = sm.GLM(lp.x, design, family=sm.families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)

    fitted = np.zeros((nr, nc))
    for k, (i, j) in enumerate(cells):
        fitted[i, j] = fit.mu[k]
    names = (["intercept"] + [f"orig[{row_names[i]}]" for i in rows_used[1:]]
             + [f"dest[{col_names[j]}]" for j in cols_used[1:]])
    params = pd.Series(fit.params, index=names, name="estimate")
    dropped = ([f"orig[{row_names[i]}]" for i in range(nr) if i not in rows_used]
               + [f"dest[{col_names[j]}]" for j in range(nc) if j not in cols_used])
    if dropped:
        params = pd.concat([params, pd.Series(-np.inf, index=dropped, name="estimate")])
    return _frame(fitted, labels), params


# ---------------------------------------------------------------------------------------------
# Flows from stocks
# ---------------------------------------------------------------------------------------------

def _stock_tables(stock_start, stock_end):
    s1, lab1 = _matrix(stock_start, "stock_start")
    s2, lab2 = _matrix(stock_end, "stock_end")
    for arr, name in ((s1, "stock_start"), (s2, "stock_end")):
        if arr.shape[0] != arr.shape[1]:
            raise ValueError(f"{name} must be square (places of birth in rows, the same places of residence "
                             f"in columns); got shape {arr.shape}.")
    if s1.shape != s2.shape:
        raise ValueError(f"stock_start has shape {s1.shape} but stock_end has shape {s2.shape}; "
                         "both tables must cover the same countries.")
    labels = lab1[0] if lab1 else lab2[0] if lab2 else list(range(s1.shape[0]))
    for lab, name in ((lab1, "stock_start"), (lab2, "stock_end")):
        if lab is not None and (list(lab[0]) != list(labels) or list(lab[1]) != list(labels)):
            raise ValueError(f"{name} must have the same countries, in the same order, in its rows and "
                             f"columns and in the other stock table. Reorder with .loc[codes, codes].")
    return s1, s2, labels


def _long(flow3, labels):
    """Long DataFrame (pob, orig, dest, flow) from an array flow3[pob, orig, dest]."""
    n = len(labels)
    idx = np.indices((n, n, n)).reshape(3, -1)
    lab = np.asarray(labels, dtype=object)
    return pd.DataFrame({"pob": lab[idx[0]], "orig": lab[idx[1]], "dest": lab[idx[2]],
                         "flow": flow3.reshape(-1)})


def ffs_diff(stock_start, stock_end, decrease="return"):
    """Flows as the naive difference of two bilateral stock tables.

    A rise in the stock born in ``b`` and living in ``j`` is read as a flow from ``b`` to ``j``
    of natives of ``b``. The native-born diagonal is ignored. A fall is either returned to the
    place of birth (``decrease="return"``, as Beine and Parsons 2015) or ignored
    (``decrease="zero"``, as Bertoli and Fernandez-Huertas Moraga 2015), as in migest's
    ``ffs_diff``. Deaths, births and moves that cancel out are all invisible to this estimate.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``pob``, ``orig``, ``dest``, ``flow`` (one row per place of
        birth, origin and destination), as :func:`ffs_demo`; :func:`sum_od` turns it into a
        matrix.
    """
    if decrease not in ("return", "zero"):
        raise ValueError(f"decrease must be 'return' or 'zero'; got {decrease!r}.")
    s1, s2, labels = _stock_tables(stock_start, stock_end)
    n = len(labels)
    change = s2 - s1
    np.fill_diagonal(change, 0)
    flow3 = np.zeros((n, n, n))
    for b in range(n):
        flow3[b, b, :] = np.maximum(change[b], 0)          # natives of b leave b for j
        if decrease == "return":
            flow3[b, :, b] = np.maximum(-change[b], 0)     # natives of b return from j to b
    return _long(flow3, labels)


BIRTHPLACE_METHODS = ("rescale", "open", "open-dr")


def ffs_demo(stock_start, stock_end, births=None, deaths=None, stayer_assumption=True,
             match_birthplace_tot_method="rescale", seed=None):
    """Flows from two bilateral stock tables by demographic accounting (Abel 2013).

    Follows migest's ``ffs_demo`` with its default settings (Abel and Sander 2014; Abel and
    Cohen 2019):

    1. If the world total changes by more (or less) than births minus deaths, the native-born
       cells of both tables absorb the difference, half each (only with ``"rescale"``).
    2. Births join the native-born (diagonal) cell of the country where they happen; when a
       country has more births than end-of-period natives, its births are spread over all
       places of birth in proportion to ``stock_end``. Deaths in each country of residence are
       spread over places of birth in proportion to ``stock_start``. They are taken off the
       end and start tables. Then the two tables are given the same place-of-birth totals,
       as migest's ``match_birthplace_tot_method`` says: ``"rescale"`` (the default) moves
       each row total half-way to the other, keeping the column totals; ``"open"`` and
       ``"open-dr"`` (Abel 2013) treat the gap as moves into or out of the world of the
       tables, spread over places of residence in proportion to the end table (``"open"``,
       for people who leave the world) or the start table (``"open-dr"``), and the other way
       round for people who join it.
    3. For each place of birth, a flow table is fitted whose rows add up to the start stocks
       by residence and whose columns add up to the end stocks. With ``stayer_assumption=True``
       as many people as possible stay where they were (the minimum migration solution) and
       the rest are spread by IPF with a zero diagonal, from a flat seed or from ``seed``. With ``stayer_assumption=False`` the
       whole table is fitted by plain IPF (the independence model migest uses for the method
       of Azose and Raftery 2019), which moves many more people.

    Parameters
    ----------
    stock_start, stock_end : square 2-D array or DataFrame
        Stocks by place of birth (rows) and place of residence (columns) at the start and end.
    births, deaths : sequence or Series, optional
        Births and deaths in the period, by country of residence. Default: none.
    stayer_assumption : bool
        Keep as many stayers as possible (True, the default) or not (False).
    match_birthplace_tot_method : {"rescale", "open", "open-dr"}
        How the place-of-birth totals of the two tables are made equal (see step 2).
    seed : square 2-D array or DataFrame, optional
        Origin-destination table of auxiliary data (an older flow table, or a function of
        distance) that spreads the movers of step 3 instead of a flat seed, as the ``m``
        argument of migest's ``ipf3_qi``. Only with ``stayer_assumption=True``.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``pob``, ``orig``, ``dest``, ``flow``. Rows with ``orig ==
        dest`` hold the stayers; :func:`sum_od` drops them.
    """
    if match_birthplace_tot_method not in BIRTHPLACE_METHODS:
        raise ValueError(f"match_birthplace_tot_method must be one of {BIRTHPLACE_METHODS}; "
                         f"got {match_birthplace_tot_method!r}.")
    s1, s2, labels = _stock_tables(stock_start, stock_end)
    n = len(labels)
    b = _demog_vector(births, n, labels, "births")
    d = _demog_vector(deaths, n, labels, "deaths")
    rescale = match_birthplace_tot_method == "rescale"
    off_diag = np.ones((n, n)) - np.eye(n)
    if seed is not None:
        if not stayer_assumption:
            raise ValueError("seed is used only with stayer_assumption=True; remove it or set the assumption.")
        m, m_lab = _matrix(seed, "seed")
        if m.shape != (n, n):
            raise ValueError(f"seed has shape {m.shape} but the stock tables have {n} countries; "
                             "give an origin-destination table with one row and one column per country.")
        if m_lab is not None and (list(m_lab[0]) != list(labels) or list(m_lab[1]) != list(labels)):
            raise ValueError("seed must have the countries of the stock tables, in the same order, in its "
                             "rows and columns. Reorder with .loc[codes, codes].")
        off_diag = off_diag * m

    # Step 1 (migest's match_global "before-demo-adjust"): make the world change match b - d.
    gap = (b.sum() - d.sum()) - (s2.sum() - s1.sum())
    if rescale and gap != 0:
        d1, d2 = np.diag(s1), np.diag(s2)
        np.fill_diagonal(s1, d1 * (d1.sum() - gap / 2) / d1.sum())
        np.fill_diagonal(s2, d2 * (d2.sum() + gap / 2) / d2.sum())

    # Step 2: births and deaths by place of birth.
    birth_mat = np.diag(b)
    short = np.diag(s2) < b
    if short.any():
        spread = ipf2(col_tot=b, m=s2)
        birth_mat[:, short] = spread[:, short]
    death_mat = ipf2(col_tot=d, m=s1) if d.sum() > 0 else np.zeros((n, n))
    start = s1 - death_mat
    end = s2 - birth_mat
    if (start < -1e-9).any() or (end < -1e-9).any():
        raise ValueError("births or deaths are larger than the stocks they come from: check that the "
                         "stocks, births and deaths cover the same countries and the same period.")
    start, end = np.clip(start, 0, None), np.clip(end, 0, None)

    # Step 2, end (migest's match_birthplace_tot): equal place-of-birth totals.
    half = (start.sum(axis=1) - end.sum(axis=1)) / 2
    if rescale:
        start = ipf2(row_tot=start.sum(axis=1) - half, col_tot=start.sum(axis=0), m=start, maxit=100_000)
        end = ipf2(row_tot=end.sum(axis=1) + half, col_tot=end.sum(axis=0), m=end, maxit=100_000)
    else:
        leave_seed, join_seed = (end, start) if match_birthplace_tot_method == "open" else (start, end)
        leave = leave_seed * _ratio(np.maximum(2 * half, 0), leave_seed.sum(axis=1))[:, None]
        join = join_seed * _ratio(np.maximum(-2 * half, 0), join_seed.sum(axis=1))[:, None]
        start, end = np.clip(start - leave, 0, None), np.clip(end - join, 0, None)
    end *= _ratio(start.sum(axis=1), end.sum(axis=1))[:, None]  # remove rounding noise in row totals

    # Step 3: one origin-destination table per place of birth.
    flow3 = np.zeros((n, n, n))
    for p in range(n):
        if stayer_assumption:
            stay = np.minimum(start[p], end[p])
            tiny = 1e-9 * max(start[p].sum(), 1.0)  # rounding noise, not people
            leave = np.where(start[p] - stay > tiny, start[p] - stay, 0.0)
            arrive = np.where(end[p] - stay > tiny, end[p] - stay, 0.0)
            if leave.sum() > 0 and arrive.sum() > 0:
                arrive *= leave.sum() / arrive.sum()
                flow3[p] = ipf2(row_tot=leave, col_tot=arrive, m=off_diag, maxit=100_000)
            flow3[p][np.diag_indices(n)] += stay
        elif start[p].sum() > 0:
            flow3[p] = ipf2(row_tot=start[p], col_tot=end[p], maxit=100_000)
    return _long(flow3, labels)


def _demog_vector(x, n, labels, name):
    if x is None:
        return np.zeros(n)
    arr, lab = _vector(x, name)
    if len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values but the stock tables have {n} countries; "
                         "give one value per country of residence.")
    return _align(arr, lab, labels, name)


def sum_od(flows):
    """The origin-destination matrix of a long flow table, summed over places of birth.

    ``flows`` is the output of :func:`ffs_demo` or :func:`ffs_diff` (columns ``orig``, ``dest``,
    ``flow``; ``pob`` is summed over). Stayers (``orig == dest``) are not migrants: the diagonal
    is set to 0, as in migest's ``sum_od``. Returns a DataFrame with origins in rows (index
    ``orig``) and destinations in columns (``dest``), every country in both.
    """
    if not isinstance(flows, pd.DataFrame):
        raise ValueError("flows must be a DataFrame with columns orig, dest and flow "
                         "(the output of ffs_demo or ffs_diff).")
    missing = {"orig", "dest", "flow"} - set(flows.columns)
    if missing:
        raise ValueError(f"flows is missing the column(s) {sorted(missing)}; it needs orig, dest and flow.")
    countries = list(dict.fromkeys(list(flows["orig"]) + list(flows["dest"])))
    od = flows.pivot_table(index="orig", columns="dest", values="flow", aggfunc="sum", fill_value=0)
    od = od.reindex(index=countries, columns=countries, fill_value=0).astype(float)
    arr = od.to_numpy(copy=True)
    np.fill_diagonal(arr, 0)
    return pd.DataFrame(arr, index=pd.Index(countries, name="orig"), columns=pd.Index(countries, name="dest"))
