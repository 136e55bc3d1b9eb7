"""The true moves and the true transitions of the synthetic world relate as the datacard says.

A move is one change of usual residence; a transition compares where a person lived at the
start and at the end of a period. The datacard (book/datasets/bilateral_stocks.ipynb) says:
a transit migrant (natives of Tamesh or Kestova going to Veridia or Orlandia through Suvania)
makes two moves and one transition; a circular migrant (natives of Lamaria and Norbia who go to
the other country and come back) makes two moves and no transition; every other mover makes one
move, which is one transition. The checks below are written from that text, cell by cell.
"""

import numpy as np
import pytest

import migstats.datasets as ds

PERIODS = ["2015-2020", "2020-2025"]
TRANSIT = [(b, d) for b in ("XTM", "XKS") for d in ("XVD", "XOR")]
CIRCULAR = [("XLM", "XNB"), ("XNB", "XLM")]  # (place of birth, the other country)


@pytest.fixture(scope="module")
def world():
    stocks = ds.load("bilateral_stocks")
    codes = [str(c) for c in stocks["place_of_birth"].cat.categories]
    ix = {c: i for i, c in enumerate(codes)}

    def cube(df, value):
        arr = np.zeros((len(codes),) * 3, dtype=np.int64)
        arr[df["place_of_birth"].map(ix), df["origin"].map(ix), df["destination"].map(ix)] = df[value]
        return arr

    moves, trans = ds.load("true_flows"), ds.load("true_transitions")
    for df in (moves, trans):
        for col in ("place_of_birth", "origin", "destination"):
            df[col] = df[col].astype(str)
    return {
        "codes": codes, "ix": ix, "stocks": stocks,
        "moves": {p: cube(moves[moves.period == p], "flow") for p in PERIODS},
        "trans": {p: cube(trans[trans.period == p], "transitions") for p in PERIODS},
    }


@pytest.mark.parametrize("period", PERIODS)
def test_moves_minus_transitions_are_only_transit_and_circular(world, period):
    m, t, ix = world["moves"][period], world["trans"][period], world["ix"]
    extra = m - t
    expected = np.zeros_like(extra)
    sv = ix["XSV"]
    for b, d in TRANSIT:
        n = extra[ix[b], sv, ix[d]]            # second leg: Suvania -> destination
        assert n > 0, f"{period}: no transit migrants born in {b} reached {d}"
        expected[ix[b], sv, ix[d]] += n
        expected[ix[b], ix[b], sv] += n        # first leg: home -> Suvania
        expected[ix[b], ix[b], ix[d]] -= n     # taken from the direct moves home -> destination
    for b, other in CIRCULAR:
        n = extra[ix[b], ix[b], ix[other]]
        assert n > 0, f"{period}: no circular migrants born in {b}"
        expected[ix[b], ix[b], ix[other]] += n  # out ...
        expected[ix[b], ix[other], ix[b]] += n  # ... and back: no transition
    np.testing.assert_array_equal(extra, expected)


@pytest.mark.parametrize("period", PERIODS)
def test_every_transition_is_at_least_one_move(world, period):
    m, t = world["moves"][period], world["trans"][period]
    assert (t >= 0).all()
    # Per place of birth, each country loses (and gains) at least as many movers as transitions.
    assert (m.sum(axis=2) >= t.sum(axis=2)).all()
    assert (m.sum(axis=1) >= t.sum(axis=1)).all()
    assert m.sum() > t.sum()


@pytest.mark.parametrize("period", PERIODS)
def test_transit_is_a_share_of_the_direct_moves(world, period):
    """The datacard: 40 per cent of these movers go through Suvania (binomial draws)."""
    m, t, ix = world["moves"][period], world["trans"][period], world["ix"]
    via = sum(m[ix[b], ix["XSV"], ix[d]] - t[ix[b], ix["XSV"], ix[d]] for b, d in TRANSIT)
    all_movers = sum(t[ix[b], ix[b], ix[d]] for b, d in TRANSIT)
    sd = np.sqrt(all_movers * 0.4 * 0.6)
    assert abs(via - 0.4 * all_movers) < 4 * sd


@pytest.mark.parametrize("period, start, end", [("2015-2020", 2015, 2020), ("2020-2025", 2020, 2025)])
def test_accounting_identity_holds_with_transitions_too(world, period, start, end):
    """Net moves equal net transitions, so the transitions also turn one stock table into the next."""
    codes, stocks = world["codes"], world["stocks"]

    def table(year):
        s = stocks[stocks.year == year].pivot(index="place_of_birth", columns="place_of_residence", values="stock")
        s.index, s.columns = s.index.astype(str), s.columns.astype(str)
        return s.loc[codes, codes].to_numpy()

    births = ds.load("births")
    births = births[births.period == period].set_index("country")["births"]
    births.index = births.index.astype(str)
    deaths = ds.load("deaths")
    deaths = deaths[deaths.period == period].pivot(index="place_of_birth", columns="place_of_residence",
                                                   values="deaths")
    deaths.index, deaths.columns = deaths.index.astype(str), deaths.columns.astype(str)
    t = world["trans"][period]
    expected = (table(start) + np.diag(births[codes]) - deaths.loc[codes, codes].to_numpy()
                + t.sum(axis=1) - t.sum(axis=2))
    np.testing.assert_array_equal(table(end), expected)
