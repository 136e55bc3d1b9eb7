"""One look for every figure of the course, safe for colour-blind readers.

The palette is Okabe and Ito's eight colours (Color Universal Design), which stay distinct under
the common forms of colour blindness. ``use()`` makes it matplotlib's default colour cycle.
"""

import matplotlib as mpl
from cycler import cycler

PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""Okabe-Ito colours by name; lines and bars take them in this order."""

GREY = "#767676"
"""For context (reference lines, other groups): 4.5:1 contrast on white."""


def use() -> None:
    """Make the course's palette and readable defaults matplotlib's defaults."""
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=list(PALETTE.values())),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
        "font.size": 10,
    })
