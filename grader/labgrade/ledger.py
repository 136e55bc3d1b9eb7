"""The ledger: every file that came in for an assignment, and what became of it.

``collect`` writes one entry per file or folder it finds; later steps update
the entry's state. No entry is ever removed, so the count in always equals
the count out. The ledger is ``reports/<assignment>/status.json``.

States:

- ``collected``: the learner's current submission, waiting to be graded;
- ``graded``: autograded, the scores are in the gradebook;
- ``failed``: could not be graded; ``reason`` says why;
- ``superseded``: an older submission of the same learner, kept at ``kept_at``;
- ``ignored``: not a notebook (``reason`` says what it is).
"""
import json
from dataclasses import asdict, dataclass, field

CURRENT_STATES = ("collected", "graded", "failed")


@dataclass
class Entry:
    origin: str
    state: str
    student: str = ""
    timestamp: str = ""
    reason: str = ""
    collect_notes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    kept_at: str = ""
    score: float | None = None
    max_score: float | None = None
    seconds_late: float = 0.0


class Ledger:
    """The entries of one assignment, read from and written to its JSON file."""

    def __init__(self, course, assignment):
        self.path = course.reports_dir(assignment) / "status.json"
        self.entries = []
        if self.path.exists():
            self.entries = [Entry(**e) for e in json.loads(self.path.read_text())["entries"]]

    def save(self):
        data = {"entries": [asdict(e) for e in self.entries]}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.path)

    def add(self, entry):
        self.entries.append(entry)
        return entry

    def current(self):
        """The entries that count: one per learner."""
        return [e for e in self.entries if e.state in CURRENT_STATES]

    def current_for(self, student):
        return next((e for e in self.current() if e.student == student), None)

    def counts(self):
        counts = {}
        for entry in self.entries:
            counts[entry.state] = counts.get(entry.state, 0) + 1
        return counts
