"""migstats.disaggregation: the publication rules at their boundaries, worked by hand (issue 21).

The rules, as publication_status documents them: suppress when the unweighted count n is below
min_n (so n == min_n is enough), the CV is above cv_suppress or undefined; flag when the CV is
above cv_flag (so a CV equal to a threshold does not cross it); otherwise publish.
"""

import numpy as np
import pandas as pd
import pytest

import migstats.disaggregation as dg


def test_a_count_equal_to_min_n_is_published():
    table = pd.DataFrame({"estimate": [10.0] * 4, "cv": [0.05] * 4, "n": [29, 30, 31, 0]})
    assert dg.publication_status(table).tolist() == ["suppress", "publish", "publish", "suppress"]
    assert dg.publication_status(table, min_n=31).tolist() == ["suppress", "suppress", "publish", "suppress"]
    assert dg.publication_status(table, min_n=0).tolist() == ["publish"] * 4


def test_a_cv_equal_to_a_threshold_does_not_cross_it():
    table = pd.DataFrame({"estimate": [10.0] * 5, "cv": [0.15, 0.150001, 0.30, 0.300001, np.nan],
                          "n": [100] * 5})
    status = dg.publication_status(table)
    assert status.tolist() == ["publish", "flag", "flag", "suppress", "suppress"]
    assert status.name == "status" and status.index.equals(table.index)
    # cv_flag == cv_suppress is allowed: nothing is flagged, only suppressed.
    same = dg.publication_status(table, cv_flag=0.30, cv_suppress=0.30)
    assert same.tolist() == ["publish", "publish", "publish", "suppress", "suppress"]


def test_min_n_below_zero_is_an_error():
    table = pd.DataFrame({"cv": [0.1], "n": [50]})
    with pytest.raises(ValueError, match="min_n=-1 must be 0 or more"):
        dg.publication_status(table, min_n=-1)
