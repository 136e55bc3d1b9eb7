"""Statistical disclosure control: measure the risk in a file and reduce it.

The names follow the statistical disclosure control literature {Hundepool et al. 2012} and the
R package sdcMicro {Templ, Kowarik and Meindl 2015}, so a statistician who knows sdcMicro finds
them at once: ``fk`` and ``Fk`` (sample and weighted class sizes), ``individual_risk``
(sdcMicro's ``indivRisk``), ``local_suppression`` (``localSuppression``), ``top_code``
(``topBotCoding``). The course implements these methods itself, for teaching; the tests check
them against the ``pycanon`` library and against values printed in sdcMicro's tests.

Missing values. An empty value of a quasi-identifier counts as a value of its own: records with
an empty age band form their own classes. (sdcMicro by default lets a missing value match any
value instead, which gives larger classes.) Suppressed values are therefore visible as such.
An empty value of a sensitive attribute is not a value: l-diversity, entropy l-diversity and
t-closeness leave it out.

Tables: ``suppress_small_cells`` (primary suppression), ``attacker_intervals`` and
``suppression_intervals`` (what an attacker can compute from a published table and its totals,
by linear programming, as tau-Argus audits a pattern {Hundepool et al. 2012, ch. 4}), and
``random_rounding``. Perturbation of microdata: ``pram_matrix`` and ``pram``.
"""

import hmac
import warnings
from hashlib import sha256

import numpy as np
import pandas as pd

__all__ = [
    "attacker_intervals",
    "entropy_l_diversity",
    "equivalence_classes",
    "generalise",
    "individual_risk",
    "k_anonymity",
    "l_diversity",
    "local_suppression",
    "pram",
    "pram_matrix",
    "pseudonymise",
    "random_rounding",
    "suppress_small_cells",
    "suppression_intervals",
    "t_closeness",
    "top_code",
    "total_variation_distance",
]


def _check_frame(df, columns, argument="quasi_identifiers"):
    """Raise a clear error if df is not a non-empty frame holding every column named."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}.")
    if df.empty:
        raise ValueError("df is empty (no rows): there is nothing to measure. Check the filter "
                         "that made it.")
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError(f"{argument} is empty: name at least one column of df.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{argument} names {missing}, which df does not have. The columns of df "
                       f"are {list(df.columns)}.")
    return columns


def _class_ids(df, quasi_identifiers):
    """The equivalence class number of each record (empty values are a value of their own)."""
    return df.groupby(quasi_identifiers, dropna=False, sort=True).ngroup()


def _weights(df, weights):
    """The weights as a float Series aligned on df, checked to be at least 1."""
    if isinstance(weights, str):
        _check_frame(df, [weights], "weights")
        w = df[weights]
    else:
        if len(weights) != len(df):
            raise ValueError(f"weights has {len(weights)} values but df has {len(df)} rows: give "
                             "one weight per record, or the name of the weight column.")
        w = pd.Series(np.asarray(weights), index=df.index)
    w = pd.to_numeric(w, errors="raise").astype(float)
    if w.isna().any():
        raise ValueError(f"weights has {int(w.isna().sum())} missing values: every record needs "
                         "a sampling weight.")
    if (w < 1).any():
        raise ValueError(f"weights has values below 1 (smallest {w.min():g}). A sampling weight "
                         "is the number of persons a record stands for, so it is at least 1; "
                         "check that you passed weights, not selection probabilities.")
    return w.set_axis(df.index)


def equivalence_classes(df, quasi_identifiers, weights=None):
    """The equivalence class of each record and the class size.

    Returns a DataFrame with the index of df and the columns ``class`` (a class number),
    ``fk`` (how many records of the sample share the record's quasi-identifier values) and,
    when ``weights`` is given (a column name or one weight per record), ``Fk`` (the sum of the
    weights in the class: the estimated number of persons in the population with those values),
    as sdcMicro's ``freqCalc`` names them {Templ et al. 2015}.
    """
    qi = _check_frame(df, quasi_identifiers)
    ids = _class_ids(df, qi)
    out = pd.DataFrame({"class": ids, "fk": ids.map(ids.value_counts())}, index=df.index)
    if weights is not None:
        w = _weights(df, weights)
        out["Fk"] = w.groupby(ids).transform("sum")
    return out


def k_anonymity(df, quasi_identifiers):
    """The k of k-anonymity: the size of the smallest equivalence class {Sweeney 2002}."""
    return int(equivalence_classes(df, quasi_identifiers)["fk"].min())


def l_diversity(df, quasi_identifiers, sensitive):
    """The l of distinct l-diversity {Machanavajjhala et al. 2007}.

    The smallest number of distinct values of the sensitive column in any equivalence class.
    An empty sensitive value is not counted as a value.
    """
    qi = _check_frame(df, quasi_identifiers)
    _check_frame(df, [sensitive], "sensitive")
    if sensitive in qi:
        raise ValueError(f"sensitive ({sensitive!r}) is also a quasi-identifier; a sensitive "
                         "column must not be one of quasi_identifiers.")
    return int(df[sensitive].groupby(_class_ids(df, qi)).nunique().min())


def _sensitive_list(df, quasi_identifiers, sensitive):
    """The sensitive columns as a list, checked to exist and not to be quasi-identifiers."""
    qi = _check_frame(df, quasi_identifiers)
    columns = _check_frame(df, sensitive, "sensitive")
    both = [c for c in columns if c in qi]
    if both:
        raise ValueError(f"sensitive names {both}, which are also quasi-identifiers; a sensitive "
                         "column must not be one of quasi_identifiers.")
    return qi, columns


def _class_shares(df, qi, column):
    """Share of each known value of ``column`` within each equivalence class (rows: classes)."""
    known = df[column].notna()
    ids = _class_ids(df, qi)[known]
    return pd.crosstab(ids, df.loc[known, column].astype(str), normalize="index")


def entropy_l_diversity(df, quasi_identifiers, sensitive):
    """The l of entropy l-diversity {Machanavajjhala et al. 2007}: exp of the smallest entropy.

    For each equivalence class, the entropy H = -sum p log p of the shares p of the known values
    of a sensitive column; the file is entropy l-diverse for l = exp(min H). Five classes with
    values shared 96%, 1%, 1%, 1%, 1% are distinct 5-diverse but only entropy 1.2-diverse.
    ``sensitive`` is a column name or a list; with a list the worst column counts. A class with
    no known sensitive value gives l = 0. Returns a float (pycanon rounds it down to an integer).
    """
    qi, columns = _sensitive_list(df, quasi_identifiers, sensitive)
    n_classes = _class_ids(df, qi).nunique()
    smallest = np.inf
    for column in columns:
        shares = _class_shares(df, qi, column)
        if len(shares) < n_classes:
            return 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -(shares * np.log(shares.where(shares > 0))).sum(axis=1)
        smallest = min(smallest, float(entropy.min()))
    return float(np.exp(smallest))


def t_closeness(df, quasi_identifiers, sensitive):
    """The t of t-closeness {Li, Li and Venkatasubramanian 2007} for categorical columns.

    The largest distance, over the equivalence classes, between the distribution of a sensitive
    column in the class and in the whole file. For categories every pair of values is equally
    far apart, and this distance (the earth mover's distance) is the total variation distance.
    ``sensitive`` is a column name or a list; with a list the worst column counts. Empty
    sensitive values are left out.
    """
    qi, columns = _sensitive_list(df, quasi_identifiers, sensitive)
    worst = 0.0
    for column in columns:
        shares = _class_shares(df, qi, column)
        overall = df[column].dropna().astype(str).value_counts(normalize=True)
        overall = overall.reindex(shares.columns, fill_value=0)
        worst = max(worst, float(0.5 * (shares - overall).abs().sum(axis=1).max()))
    return worst


def total_variation_distance(original, release, columns):
    """Half the sum of the absolute differences of the shares of each combination of ``columns``.

    0 when the two files have the same distribution, 1 when they share no combination. Empty
    values count as a category of their own.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)

    def shares(df):
        # as text, so that 3 and "3", or an empty nan and an empty <NA>, are the same value;
        # empty values are counted as <NA> (a text label for them could be a real value)
        return df[columns].astype("string").value_counts(normalize=True, dropna=False)

    p, q = shares(original).align(shares(release), fill_value=0)
    return float(0.5 * (p - q).abs().sum())


def individual_risk(df, quasi_identifiers, weights):
    """Per-record re-identification risk, as sdcMicro's ``indivRisk`` (method "approx").

    The Benedetti and Franconi (1998) estimate, with p = fk / Fk (see Templ et al. 2015):
    fk = 1: p / (1 - p) * log(1 / p);
    fk = 2: p / (1 - p) - (p / (1 - p))**2 * log(1 / p);
    fk > 2: p / (fk - (1 - p)).
    When fk = Fk (every person is in the sample, p = 1) the risk is 1 / fk.
    Returns a Series named ``risk`` with the index of df.
    """
    classes = equivalence_classes(df, quasi_identifiers, weights)
    fk, Fk = classes["fk"].to_numpy(float), classes["Fk"].to_numpy(float)
    p = fk / Fk
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = p / (1 - p)
        risk = np.where(fk == 1, odds * np.log(1 / p),
                        np.where(fk == 2, odds - odds**2 * np.log(1 / p), p / (fk - (1 - p))))
    risk = np.where(p >= 1, 1 / fk, risk)
    return pd.Series(risk, index=df.index, name="risk")


def generalise(values, groups):
    """Recode categories into broader ones (global recoding, sdcMicro's ``groupAndRename``).

    ``groups`` maps each new category to the list of old categories it replaces, for example
    ``{"18-29": ["18-20", "21-23", "24-26", "27-29"]}``. Values in no group are kept; empty
    values stay empty. Returns a new Series of strings.
    """
    if not isinstance(groups, dict) or not groups:
        raise TypeError("groups must be a non-empty dict: new category -> list of old categories.")
    mapping = {}
    for new, olds in groups.items():
        if isinstance(olds, str):
            raise TypeError(f"groups[{new!r}] is the string {olds!r}; give a list of old "
                            f"categories, such as [{olds!r}].")
        for old in olds:
            if old in mapping and mapping[old] != new:
                raise ValueError(f"{old!r} is in two groups ({mapping[old]!r} and {new!r}); "
                                 "each old category can go to one new category only.")
            mapping[old] = new
    values = pd.Series(values)
    unknown = set(mapping) - set(values.dropna().unique())
    if unknown == set(mapping):
        raise ValueError(f"none of the old categories in groups ({sorted(map(str, unknown))}) "
                         "occurs in values: check the spelling of the categories.")
    return values.map(lambda v: mapping.get(v, v) if pd.notna(v) else v).astype("string")


def top_code(values, top, replacement=None):
    """Top-coding: replace every value above ``top`` by ``replacement`` (default ``top``).

    As sdcMicro's ``topBotCoding`` with ``kind="top"``. Values must be numeric; empty values
    stay empty.
    """
    values = pd.Series(values)
    if not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"values must be numeric to be top-coded (dtype is {values.dtype}); for "
                        "categories such as age bands use generalise() to merge the top ones.")
    return values.mask(values > top, top if replacement is None else replacement)


def local_suppression(df, quasi_identifiers, k, suppress=None):
    """Suppress (set to empty) quasi-identifier values until every class has at least k records.

    A simple greedy method for teaching, in the spirit of sdcMicro's ``localSuppression`` with
    an importance order: ``suppress`` lists the columns that may be emptied (default: all the
    quasi-identifiers), first the one you can most afford to lose. For the records whose class
    is smaller than k, the value of the current column is emptied; then, if some class is still
    smaller than k, the next column. Only records at risk lose values. An empty value counts as
    a value of its own, so records whose values were emptied form classes together.

    Returns a copy of df. If k is not reached after the last column, a warning says how many
    records are still at risk: drop them, or generalise first.
    """
    qi = _check_frame(df, quasi_identifiers)
    columns = qi if suppress is None else _check_frame(df, suppress, "suppress")
    outside = [c for c in columns if c not in qi]
    if outside:
        raise ValueError(f"suppress names {outside}, which are not among quasi_identifiers {qi}.")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}.")
    out = df.copy()
    for column in columns:
        at_risk = equivalence_classes(out, qi)["fk"] < k
        if not at_risk.any():
            break
        out[column] = out[column].mask(at_risk)
    still = int((equivalence_classes(out, qi)["fk"] < k).sum())
    if still:
        warnings.warn(f"{still} records are still in classes smaller than k = {k} after "
                      f"suppressing {columns}; drop them, or generalise first.", stacklevel=2)
    return out


def pseudonymise(values, key):
    """Replace identifiers by a keyed hash (HMAC-SHA256), a pseudonym that hides the value.

    The same value and key always give the same pseudonym, so records can still be linked;
    without the key nobody can recompute the pseudonym of a guessed value. The key is a secret
    the data controller keeps apart from the data (at least 16 characters or bytes). There is
    no default key. Empty values stay empty. Returns a Series of 64-character hex strings.
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValueError("key must be a secret string or bytes of at least 16 characters "
                         "(for example secrets.token_hex(16)); keep it apart from the data.")
    values = pd.Series(values)

    def digest(v):
        return hmac.new(key, str(v).encode("utf-8"), sha256).hexdigest()

    return values.map(lambda v: digest(v) if pd.notna(v) else pd.NA).astype("string")


def suppress_small_cells(table, threshold):
    """Primary suppression: hide every cell with a count from 1 to ``threshold - 1``.

    Zero cells are kept (a zero discloses nothing about a person in most tables). Works on a
    Series or DataFrame of counts and returns a copy with suppressed cells empty (NA). Secondary
    suppression (hiding further cells so that the hidden ones cannot be recomputed from the
    totals) is a separate step; see the lesson on tables.
    """
    if not isinstance(table, (pd.Series, pd.DataFrame)):
        raise TypeError(f"table must be a pandas Series or DataFrame of counts, not "
                        f"{type(table).__name__}.")
    if table.size == 0:
        raise ValueError("table is empty: there are no cells to check.")
    if not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, not {threshold!r}.")
    numeric = table.apply(pd.to_numeric, errors="coerce") if isinstance(table, pd.DataFrame) \
        else pd.to_numeric(table, errors="coerce")
    if numeric.isna().to_numpy().sum() > table.isna().to_numpy().sum():
        raise TypeError("table must hold counts (numbers) only; remove the label columns or set "
                        "them as the index.")
    small = (numeric > 0) & (numeric < threshold)
    return numeric.astype("Float64").mask(small)


def attacker_intervals(lower, upper, row_totals=None, column_totals=None):
    """The smallest and largest value of each cell that agrees with what was published.

    ``lower`` and ``upper`` (DataFrames of the same shape) say what the reader knows of each cell:
    equal for a published cell, 0 and ``np.inf`` for a hidden one, the rounding interval for a
    rounded one. With the published ``row_totals`` and ``column_totals`` (Series, or None when not
    published) the attacker solves two linear programmes per cell (scipy's ``linprog``): the
    minimum and the maximum of the cell under the constraints. Tables of counts with whole-number
    totals have whole-number bounds. Returns the DataFrames ``(low, high)``.
    """
    from scipy.optimize import linprog  # imported here: scipy.optimize is slow to import

    if not isinstance(lower, pd.DataFrame) or not isinstance(upper, pd.DataFrame):
        raise TypeError("lower and upper must be DataFrames of the table's shape.")
    if lower.shape != upper.shape:
        raise ValueError(f"lower has shape {lower.shape} but upper has shape {upper.shape}.")
    lo = lower.to_numpy(float)
    hi = upper.to_numpy(float)
    n_rows, n_cols = lo.shape
    a_eq, b_eq = [], []
    for totals, axis in ((row_totals, 0), (column_totals, 1)):
        if totals is None:
            continue
        labels = lower.index if axis == 0 else lower.columns
        totals = pd.Series(totals).reindex(labels)
        if totals.isna().any():
            raise ValueError(f"the totals lack {list(labels[totals.isna()])}; give one total per "
                             "row (row_totals) or per column (column_totals).")
        for i, total in enumerate(totals.to_numpy(float)):
            mask = np.zeros((n_rows, n_cols))
            if axis == 0:
                mask[i, :] = 1
            else:
                mask[:, i] = 1
            a_eq.append(mask.ravel())
            b_eq.append(total)
    bounds = [(a, None if np.isinf(b) else b) for a, b in zip(lo.ravel(), hi.ravel())]
    low, high = lo.ravel().copy(), hi.ravel().copy()
    for cell in np.flatnonzero(lo.ravel() != hi.ravel()):
        for sign, out in ((1, low), (-1, high)):
            c = np.zeros(n_rows * n_cols)
            c[cell] = sign
            res = linprog(c, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None,
                          bounds=bounds, method="highs")
            if res.status == 2:
                raise ValueError("the published cells and totals contradict each other: no table "
                                 "agrees with them. Check the totals.")
            out[cell] = sign * res.fun if res.status == 0 else np.inf
    def as_table(values):
        return pd.DataFrame(values.reshape(n_rows, n_cols), index=lower.index,
                            columns=lower.columns)

    return as_table(low), as_table(high)


def suppression_intervals(protected, row_totals=None, column_totals=None):
    """Audit a suppression pattern: the interval an attacker finds for each hidden cell.

    ``protected`` is the published table with hidden cells empty (NA); the totals are those
    printed with it. Returns one row per hidden cell with its ``lower`` and ``upper`` bound
    (``attacker_intervals``). A hidden cell with ``lower == upper`` is disclosed exactly.
    """
    if not isinstance(protected, pd.DataFrame):
        raise TypeError("protected must be a DataFrame of counts with hidden cells empty (NA).")
    values = protected.astype("Float64")
    hidden = values.isna()
    lower = values.fillna(0).astype(float)
    upper = values.astype(float).fillna(np.inf)
    low, high = attacker_intervals(lower, upper, row_totals, column_totals)
    cells = hidden.stack()
    cells = cells[cells].index
    return pd.DataFrame({"lower": low.stack().loc[cells], "upper": high.stack().loc[cells]})


def random_rounding(table, base, seed):
    """Unbiased random rounding of counts to a multiple of ``base``.

    A count x with remainder r = x mod base goes up to the next multiple with probability
    r / base and down otherwise, so its expected value is x and a published value does not tell
    which way the count moved {Hundepool et al. 2012, ch. 5}. Multiples of the base stay as they
    are. Totals must be rounded separately (or computed from the rounded cells, as the user
    chooses); say which. ``seed`` makes the draw reproducible.
    """
    if not isinstance(base, (int, np.integer)) or base < 2:
        raise ValueError(f"base must be a whole number of at least 2, not {base!r}.")
    values = pd.DataFrame(table) if isinstance(table, pd.Series) else table
    counts = values.to_numpy()
    if not np.issubdtype(counts.dtype, np.integer) or (counts < 0).any():
        raise TypeError("table must hold counts: whole numbers of at least 0.")
    rng = np.random.default_rng(seed)
    remainder = counts % base
    up = rng.random(counts.shape) < remainder / base
    rounded = counts - remainder + base * up
    out = values.copy()
    out.loc[:, :] = rounded
    return out.iloc[:, 0] if isinstance(table, pd.Series) else out


def pram_matrix(values, keep):
    """The transition matrix of invariant PRAM {Gouweleeuw et al. 1998}.

    Each value stays as it is with probability ``keep``; otherwise it is replaced by a value drawn
    from the distribution of ``values`` (it may draw itself). Then P[i, j] = keep * (i == j) +
    (1 - keep) * share[j], and the expected distribution after PRAM equals the one before
    (share @ P = share: the matrix is invariant). Empty values are not changed.
    Returns a DataFrame: rows are the true values, columns the published ones.
    """
    if not 0 <= keep <= 1:
        raise ValueError(f"keep is a probability from 0 to 1, not {keep!r}.")
    share = pd.Series(values).dropna().astype(str).value_counts(normalize=True).sort_index()
    if share.empty:
        raise ValueError("values has no known value to perturb.")
    matrix = (1 - keep) * np.tile(share.to_numpy(), (len(share), 1)) + keep * np.eye(len(share))
    return pd.DataFrame(matrix, index=share.index, columns=share.index)


def pram(values, matrix, seed):
    """Post-randomisation (PRAM): replace each value by one drawn from its row of ``matrix``.

    ``matrix`` is a transition matrix (rows: true values; columns: published values; each row sums
    to 1), such as ``pram_matrix`` gives. Empty values stay empty. ``seed`` makes the draw
    reproducible. Returns a Series of strings with the index of ``values``.
    """
    values = pd.Series(values)
    text = values.astype("string")
    unknown = set(text.dropna().unique()) - set(matrix.index)
    if unknown:
        raise ValueError(f"matrix has no row for the values {sorted(unknown)}.")
    if not np.allclose(matrix.sum(axis=1), 1):
        raise ValueError("each row of matrix must sum to 1 (it holds probabilities).")
    rng = np.random.default_rng(seed)
    cumulative = matrix.cumsum(axis=1).to_numpy()
    rows = matrix.index.get_indexer(text.fillna(matrix.index[0]))
    draws = (rng.random(len(text))[:, None] > cumulative[rows]).sum(axis=1)
    draws = np.minimum(draws, len(matrix.columns) - 1)
    out = pd.Series(matrix.columns[draws], index=values.index, dtype="string")
    return out.mask(text.isna())
