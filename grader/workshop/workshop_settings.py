"""The room's JupyterHub settings, read from ``workshop.toml``.

``jupyterhub_config.py`` and ``run.py`` both read the trainer's settings through
:func:`load`, so the two never disagree. Set ``WORKSHOP_CONFIG`` to use another file.
"""
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
DEFAULT_CONFIG = HERE / "workshop.toml"
CONFIG_ENV = "WORKSHOP_CONFIG"
# configurable-http-proxy, the hub's proxy, installed from npm into the project.
CHP_VERSION = "5.3.0"
NODE_DIR = PROJECT / ".node"
CHP_COMMAND = NODE_DIR / "node_modules" / ".bin" / "configurable-http-proxy"


class SettingsError(ValueError):
    """A mistake in workshop.toml; the message names the setting and the fix."""


@dataclass(frozen=True)
class Workshop:
    """Everything the hub and its start/stop script need to know."""

    config_file: Path
    ip: str
    port: int
    learners: tuple[str, ...]
    trainers: tuple[str, ...]
    learner_password: str
    trainer_password: str
    course_dir: Path
    learner_files: tuple[Path, ...]
    release: tuple[str, ...]
    state_dir: Path
    language: str = "en"

    # The hub uses two more ports on 127.0.0.1, right after the public one.
    @property
    def hub_port(self):
        return self.port + 1

    @property
    def proxy_api_port(self):
        return self.port + 2

    @property
    def url(self):
        """The address to use on this machine."""
        host = "127.0.0.1" if self.ip in ("0.0.0.0", "") else self.ip
        return f"http://{host}:{self.port}"

    @property
    def exchange(self):
        return self.state_dir / "exchange"

    @property
    def homes(self):
        return self.state_dir / "homes"

    @property
    def hub_pid_file(self):
        return self.state_dir / "jupyterhub.pid"

    @property
    def log_file(self):
        return self.state_dir / "jupyterhub.log"

    def admin_token(self):
        """The API token of the ``workshop-admin`` service (made on first use)."""
        return _secret(self.state_dir / "admin-token.txt", secrets.token_hex(32))


def _secret(path, new_value):
    """Read a secret kept in ``path``, or write ``new_value`` there (owner-only) first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(new_value + "\n")
    return path.read_text().strip()


def _path(value, key):
    if not isinstance(value, str) or not value:
        raise SettingsError(f"{key} must be a folder name in quotes, not {value!r}.")
    path = Path(value)
    return (path if path.is_absolute() else PROJECT / path).resolve()


def _names(value, key):
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SettingsError(f'{key} must be a list of names in quotes, like ["ana", "ben"]; got {value!r}.')
    bad = [v for v in value if v != v.strip().lower() or any(ch in v for ch in "+*/ ")]
    if bad:
        raise SettingsError(f"{key}: the names {bad} are not allowed; use lower-case letters and "
                            "digits, without spaces, '+', '*' or '/'.")
    return [v.strip() for v in value]


def load(config_file=None):
    """Read and check workshop.toml; return a :class:`Workshop`."""
    config_file = Path(config_file or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    try:
        raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{config_file} does not exist: copy grader/workshop/workshop.toml "
                            "there, or unset WORKSHOP_CONFIG.") from None
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{config_file} is not valid TOML: {err}") from None

    def get(section, key, default=None):
        value = raw.get(section, {}).get(key, default)
        if value is None:
            raise SettingsError(f"{config_file}: set {key} in the [{section}] section.")
        return value

    port = get("hub", "port")
    if not isinstance(port, int) or not 1024 <= port <= 65533:
        raise SettingsError(f"[hub] port must be a whole number from 1024 to 65533, not {port!r}.")
    count = get("people", "learner_count", 0)
    if not isinstance(count, int) or count < 0:
        raise SettingsError(f"[people] learner_count must be a whole number, not {count!r}.")
    learners = [f"learner{i:02d}" for i in range(1, count + 1)]
    learners += [n for n in _names(get("people", "learners", []), "[people] learners") if n not in learners]
    trainers = _names(get("people", "trainers"), "[people] trainers")
    if not trainers:
        raise SettingsError("[people] trainers must name at least one trainer.")
    if set(trainers) & set(learners):
        raise SettingsError(f"{sorted(set(trainers) & set(learners))} cannot be both a learner and a trainer.")

    state_dir = _path(get("state", "state_dir"), "[state] state_dir")
    learner_password = get("passwords", "learners")
    if not isinstance(learner_password, str) or len(learner_password) < 8:
        raise SettingsError("[passwords] learners must be at least 8 characters long.")
    trainer_password = get("passwords", "trainers", "")
    if not trainer_password:
        trainer_password = _secret(state_dir / "trainer-password.txt", secrets.token_urlsafe(24))
    if len(trainer_password) < 32:
        raise SettingsError("[passwords] trainers must be at least 32 characters long "
                            "(or empty: the hub then makes one).")
    if trainer_password == learner_password:
        raise SettingsError("[passwords] trainers and learners must differ.")

    release = get("course", "release", [])
    if not isinstance(release, list) or not all(isinstance(a, str) for a in release):
        raise SettingsError(f'[course] release must be a list like ["m1-ex1"], not {release!r}.')
    language = get("course", "language", "en")
    if language not in LANGUAGES:
        raise SettingsError(f'[course] language must be "en" or "fr", not {language!r}.')
    course_dir = _path(get("course", "course_dir"), "[course] course_dir")
    learner_files = [_path(p, "[course] learner_files") for p in get("course", "learner_files", [])]
    if language == "fr":
        learner_files = [_french_file(p) for p in learner_files]
        release = [_french_assignment(course_dir, a) for a in release]
    return Workshop(
        config_file=config_file,
        ip=get("hub", "ip"),
        port=port,
        learners=tuple(learners),
        trainers=tuple(trainers),
        learner_password=learner_password,
        trainer_password=trainer_password,
        course_dir=course_dir,
        learner_files=tuple(learner_files),
        release=tuple(release),
        state_dir=state_dir,
        language=language,
    )


LANGUAGES = ("en", "fr")


def _french_file(path):
    """A listed file in French (DIR/fr/name); a folder stays: it holds its fr/ pages."""
    if path.is_dir():
        return path
    french = path.parent / "fr" / path.name
    if not french.exists():
        raise SettingsError(f"[course] language = \"fr\": {path} has no French version {french}; "
                            "translate it, or leave it out of learner_files.")
    return french


def _french_assignment(course_dir, assignment):
    french = assignment if assignment.endswith("-fr") else f"{assignment}-fr"
    if not (course_dir / "source" / french / f"{french}.ipynb").exists():
        raise SettingsError(f"[course] language = \"fr\": {assignment} in release has no French "
                            f"version (no {course_dir / 'source' / french}); release it in English "
                            "or translate it first.")
    return french
