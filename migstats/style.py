"""One look for every figure of the course, safe for colour-blind readers, in two languages.

The palette is Okabe and Ito's eight colours (Color Universal Design), which stay distinct under
the common forms of colour blindness. ``use()`` makes it matplotlib's default colour cycle.
``use("fr")`` also writes numbers the French way (1 234,5) in tick labels, pandas tables and the
texts of :mod:`migstats.show`; ``use("en")`` goes back to English.
"""

import locale

import matplotlib as mpl
import matplotlib.ticker
import pandas as pd
from cycler import cycler

from migstats import show

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


class FrenchTickNumbers:
    """What matplotlib's tick formatters ask of the ``locale`` module, answered in French.

    Matplotlib formats tick labels with ``locale.format_string`` when
    ``axes.formatter.use_locale`` is on. Most computers (and the course's servers) have no
    French system locale, so this object stands in for the module in ``matplotlib.ticker``.
    """

    def format_string(self, fmt, values, grouping=False):
        return show.french_number(fmt % values)

    def __getattr__(self, name):  # anything else: the real locale module
        return getattr(locale, name)


def french_float(value: float) -> str:
    """A float in a pandas table, the French way, with up to 6 significant digits."""
    return show.french_number(f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:,.6g}")


def use(lang: str = "en") -> None:
    """Make the course's palette, readable defaults and ``lang``'s numbers the defaults."""
    show.language(lang)
    french = lang == "fr"
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=list(PALETTE.values())),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
        "font.size": 10,
        "axes.formatter.use_locale": french,
    })
    matplotlib.ticker.locale = FrenchTickNumbers() if french else locale
    if french:
        pd.set_option("display.float_format", french_float)
    else:
        pd.reset_option("display.float_format")
