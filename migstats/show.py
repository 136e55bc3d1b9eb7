"""Computed numbers for the text of a lesson.

A lesson computes a value in a code cell and names its text, for example
``share_text = show.fmt(share, ".1%")``; the Markdown then reads ``{eval}`share_text```.
The book (MyST-NB) and JupyterLab (jupyterlab-myst) both replace the role by the value, so a
number is never typed into the prose.
"""


class Text(str):
    """A string shown without quotes: its ``repr`` is the string itself."""

    def __repr__(self) -> str:
        return str(self)


def fmt(value, spec: str = "") -> Text:
    """Format ``value`` with a Python format ``spec`` (``",.0f"``, ``".1%"``) for the text."""
    return Text(format(value, spec))
