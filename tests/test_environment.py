"""requirements.txt and environment.yml pin the same versions, and they are the ones installed."""

import re
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)")


def pins(path: Path) -> dict[str, str]:
    found = (PIN.match(line) for line in path.read_text().splitlines())
    return {m[1].lower(): m[2] for m in found if m}


def test_requirements_and_conda_environment_agree():
    req, env = pins(ROOT / "requirements.txt"), pins(ROOT / "environment.yml")
    assert req, "requirements.txt pins nothing"
    assert req == env, f"only in requirements.txt: {req.items() - env.items()}; only in environment.yml: {env.items() - req.items()}"


def test_jupyter_book_is_1x():
    assert pins(ROOT / "requirements.txt")["jupyter-book"].startswith("1."), "jupyter-book 2.x ignores _config.yml"


def test_installed_versions_match_the_pins():
    wrong = {name: (pinned, version(name)) for name, pinned in pins(ROOT / "requirements.txt").items()
             if version(name) != pinned}
    assert not wrong, f"installed versions differ from requirements.txt (run make venv): {wrong}"
