"""When the room's hub first saw each submission: a record that learners cannot write.

On the hub a learner submits into their own inbound folder (grader/workshop/learner_sandbox.py).
nbgrader's ``timestamp.txt`` in a submission is written by the learner's own server, so a
learner can write any time there. The hub runs this module as a service, outside every sandbox:

    python -m labgrade.arrivals INBOUND LOG

Every ``POLL`` seconds it reads each submission folder ``INBOUND/<hub user>/<folder>/`` and, the
first time it sees a content (the files' names and bytes), appends a line to LOG, which no
learner's sandbox shows. ``labgrade collect`` takes a submission's time from LOG: the moment
its present content was first seen, to within ``POLL`` seconds.
"""
import datetime
import hashlib
import json
import os
import sys
import time
from pathlib import Path

POLL = 2.0  # seconds between two looks at the inbound folders
MAX_BYTES = 200 * 2**20  # a submission larger than this is recorded by its file sizes only
LOG_NAME = "arrivals.jsonl"  # beside the exchange's inbound folder


def fingerprint(folder: Path) -> str:
    """A hash of the names and bytes of the regular files in ``folder`` (links are not followed)."""
    digest = hashlib.sha256()
    files = []
    for where, dirs, names in os.walk(folder):  # os.walk does not follow links to folders
        dirs.sort()
        for name in sorted(names):
            path = Path(where, name)
            if path.is_file() and not path.is_symlink():
                files.append(path)
    large = sum(p.stat().st_size for p in files) > MAX_BYTES
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if large:
            digest.update(str(path.stat().st_size).encode())
            continue
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as file:
            for block in iter(lambda: file.read(2**20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def read_log(log: Path) -> dict[str, list[dict]]:
    """{"<hub user>/<folder>": [records, oldest first]} from LOG (empty if there is none)."""
    records = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                records.setdefault(record["folder"], []).append(record)
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a crash
    return records


def look_once(inbound: Path, log: Path, known: dict[str, str]) -> int:
    """Record every submission folder whose content is new; return how many were recorded.

    ``known`` maps a folder to the fingerprint last recorded for it, and is updated.
    """
    recorded = 0
    for user in sorted(p for p in inbound.iterdir() if p.is_dir() and not p.is_symlink()):
        for folder in sorted(p for p in user.iterdir() if p.is_dir() and not p.is_symlink()):
            key = f"{user.name}/{folder.name}"
            try:
                content = fingerprint(folder)
            except OSError:
                continue  # being written or removed: seen at the next look
            if known.get(key) != content:
                with log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps({"folder": key, "sha256": content, "seen": now()}) + "\n")
                known[key] = content
                recorded += 1
    return recorded


def watch(inbound: Path, log: Path, poll: float = POLL, looks: int | None = None) -> None:
    """Look at the inbound folders every ``poll`` seconds, ``looks`` times (None: for ever).

    A content already in LOG (the hub restarted) is not recorded again."""
    known = {key: records[-1]["sha256"] for key, records in read_log(log).items()}
    done = 0
    while looks is None or done < looks:
        if inbound.is_dir():
            look_once(inbound, log, known)
        done += 1
        time.sleep(poll)


def first_seen(folder: Path, log: Path) -> datetime.datetime | None:
    """When the hub first saw the present content of ``INBOUND/<user>/<folder>``, or None
    (the hub has not seen this content: no service, or it changed since the last look)."""
    records = read_log(log).get(f"{folder.parent.name}/{folder.name}")
    # only the newest record can describe what the folder holds now
    if records and records[-1].get("sha256") == fingerprint(folder):
        return datetime.datetime.fromisoformat(records[-1]["seen"])
    return None


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m labgrade.arrivals INBOUND LOG")
    watch(Path(sys.argv[1]), Path(sys.argv[2]))
