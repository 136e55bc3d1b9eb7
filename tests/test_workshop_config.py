"""The workshop settings file, its checks, and the Kubernetes (Zero to JupyterHub) values."""
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
WORKSHOP = PROJECT / "grader" / "workshop"
sys.path.insert(0, str(WORKSHOP))
import workshop_settings  # noqa: E402

import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("workshop_run", WORKSHOP / "run.py")
workshop_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workshop_run)


def course_id():
    text = (PROJECT / "grader" / "nbgrader_config.py").read_text()
    return re.search(r'course_id = "([^"]+)"', text).group(1)


def test_the_shipped_settings_load(tmp_path):
    text = (WORKSHOP / "workshop.toml").read_text()
    moved = tmp_path / "workshop.toml"
    moved.write_text(text.replace('state_dir = ".workshop"', f'state_dir = "{tmp_path / "state"}"'))
    ws = workshop_settings.load(moved)
    assert ws.port == 8000 and ws.ip == "0.0.0.0" and ws.url == "http://127.0.0.1:8000"
    assert ws.learners[0] == "learner01" and len(ws.learners) == 25 and ws.trainers == ("trainer",)
    assert ws.course_dir == PROJECT / "grader"
    # No trainers' password in the file: one is made, kept for the owner only, and reused.
    assert len(ws.trainer_password) >= 32
    assert (tmp_path / "state" / "trainer-password.txt").stat().st_mode & 0o077 == 0
    assert workshop_settings.load(moved).trainer_password == ws.trainer_password


@pytest.mark.parametrize("change, message", [
    (('port = 8000', 'port = 80'), "port must be a whole number from 1024"),
    (('learners = "change-me-2026"', 'learners = "short"'), "at least 8 characters"),
    (('trainers = ""', 'trainers = "too-short"'), "at least 32 characters"),
    (('trainers = ["trainer"]', 'trainers = ["learner03"]'), "both a learner and a trainer"),
    (('learners = []', 'learners = ["Ana Maria"]'), "not allowed"),
    (('port = 8000', 'port = "8000'), "not valid TOML"),
])
def test_mistakes_get_a_clear_error(tmp_path, change, message):
    text = (WORKSHOP / "workshop.toml").read_text()
    assert change[0] in text
    bad = tmp_path / "workshop.toml"
    bad.write_text(text.replace(change[0], change[1]).replace(".workshop", str(tmp_path / "state")))
    with pytest.raises(workshop_settings.SettingsError, match=message):
        workshop_settings.load(bad)


def test_a_missing_settings_file_says_what_to_do(tmp_path):
    with pytest.raises(workshop_settings.SettingsError, match="does not exist: copy"):
        workshop_settings.load(tmp_path / "nowhere.toml")


def test_hub_and_shipped_settings_agree():
    """The hub's jupyterhub_config.py uses the workshop.toml sections that exist."""
    sections = tomllib.loads((WORKSHOP / "workshop.toml").read_text())
    assert set(sections) == {"hub", "people", "passwords", "course", "state"}
    config = (WORKSHOP / "jupyterhub_config.py").read_text()
    assert "shared-password" in config and '"simple"' in config and "cleanup_servers = True" in config


def test_kubernetes_values_have_the_keys_that_matter():
    values = yaml.safe_load((WORKSHOP / "z2jh-values.yaml").read_text())
    assert set(values) <= {"hub", "singleuser", "cull", "prePuller", "scheduling", "proxy", "ingress"}
    hub = values["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    passwords = hub["config"]["SharedPasswordAuthenticator"]
    assert len(passwords["admin_password"]) >= 32 and len(passwords["user_password"]) >= 8
    assert hub["config"]["Authenticator"]["admin_users"] == ["trainer"]
    # ngshare is a hub service, and every pod's nbgrader talks to that same service.
    service = re.search(r'"url": "(http://[^"]+)"', hub["extraConfig"]["ngshare.py"]).group(1)
    nbgrader = values["singleuser"]["extraFiles"]["nbgrader-config"]
    assert nbgrader["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    assert f'configureExchange(c, "{service}/services/ngshare")' in nbgrader["stringData"]
    assert f'course_id = "{course_id()}"' in nbgrader["stringData"]
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["memory"]["limit"] and single["cpu"]["limit"] and single["defaultUrl"] == "/lab"
    assert values["cull"]["enabled"] is True


def test_no_node_gets_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(workshop_run, "CHP_COMMAND", tmp_path / "none")
    monkeypatch.setattr(workshop_run.shutil, "which", lambda name: None)
    with pytest.raises(workshop_run.WorkshopError, match="needs Node.js 18 or newer with npm"):
        workshop_run.install_proxy()


def test_stopping_a_hub_that_is_not_running_is_harmless(tmp_path, capsys):
    text = (WORKSHOP / "workshop.toml").read_text().replace(".workshop", str(tmp_path / "state"))
    (tmp_path / "workshop.toml").write_text(text)
    assert workshop_run.stop(workshop_settings.load(tmp_path / "workshop.toml")) == 0
    assert "was not running" in capsys.readouterr().out
