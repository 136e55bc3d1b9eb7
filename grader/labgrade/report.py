"""The status table: every file that came in, and what became of it."""
from .ledger import Ledger


def status_lines(course, assignment):
    """Lines of text: one per ledger entry, then the counts."""
    ledger = Ledger(course, assignment)
    if not ledger.entries:
        return [f"nothing collected for {assignment} yet: run 'labgrade collect {assignment}'."]
    lines = []
    for entry in sorted(ledger.entries, key=lambda e: (e.student, e.state != "superseded")):
        if entry.state == "graded":
            detail = f"{entry.score:g}/{entry.max_score:g}"
        elif entry.state == "superseded":
            detail = f"kept at {entry.kept_at}"
        else:
            detail = entry.reason
        notes = "; ".join(entry.collect_notes + entry.notes)
        lines.append(f"{entry.student or '-':<16} {entry.state:<10} {detail}"
                     + (f"  [{notes}]" if notes else "") + f"  <- {entry.origin}")
    counts = ledger.counts()
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    lines.append(f"{len(ledger.entries)} files in, {sum(counts.values())} accounted for: {summary}")
    return lines
