"""The deployment guide and recipes agree with the code: settings named, units valid, compose complete.

docs/deploy.md, the systemd units and the compose file are what an operator copies; a setting renamed
in ``Settings`` or a unit key misspelt would otherwise only show in production.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from privacyops.envnames import env_var
from privacyops.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
GUIDE = REPO / "docs" / "deploy.md"
UNITS = DEPLOY / "systemd"
RECIPES = [GUIDE, *sorted(UNITS.iterdir()), DEPLOY / "compose.yaml", DEPLOY / "compose.env.example",
           DEPLOY / "Dockerfile"]
SETTING_NAME = re.compile(r"\bPRIVACYOPS_[A-Z0-9_]*[A-Z0-9]")
SERVICES = ("privacyops-api@.service", "privacyops-worker@.service", "privacyops-migrate.service")
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes",
             "PrivateDevices": "yes", "CapabilityBoundingSet": ""}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Read a unit file as systemd does: sections of keys, a key given again adds a value."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None and re.fullmatch(r"[A-Za-z]+", key.strip()), (
            f"{path.name}:{number}: not a 'Key=value' line inside a [Section]: {raw!r}")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_every_variable_named_in_the_guide_and_recipes_is_a_setting() -> None:
    known = {env_var(name) for name in Settings.model_fields}
    for path in RECIPES:
        unknown = sorted(set(SETTING_NAME.findall(path.read_text())) - known)
        assert not unknown, f"{path.relative_to(REPO)} names {unknown}, which Settings does not read"


def test_every_setting_is_explained_in_the_guide() -> None:
    guide = GUIDE.read_text()
    missing = [env_var(name) for name in Settings.model_fields if f"`{env_var(name)}`" not in guide]
    assert not missing, f"docs/deploy.md does not explain {missing}; add them to its Settings tables"


def test_the_guide_keeps_its_sections() -> None:
    headings = re.findall(r"^## (.+)$", GUIDE.read_text(), re.MULTILINE)
    for needed in ("Settings", "Secrets", "Migrations: a release step", "Health checks", "systemd",
                   "Containers", "Backups", "Logs", "Sizing and scaling"):
        assert needed in headings


def test_units_run_privacyops_unprivileged_and_hardened() -> None:
    for name in SERVICES:
        unit = parse_unit(UNITS / name)
        assert {"Unit", "Service", "Install"} <= set(unit), name
        service = unit["Service"]
        command = service["ExecStart"][0].split()
        assert command[0].startswith("/") and command[0].endswith("/privacyops"), name
        assert service["User"] == ["privacyops"] and service["EnvironmentFile"] == [
            "/etc/privacyops/privacyops.env"], name
        for key, value in HARDENING.items():
            assert service.get(key) == [value], f"{name}: {key}={value} expected"
    api = parse_unit(UNITS / "privacyops-api@.service")["Service"]
    assert api["ExecStart"][0].endswith("privacyops serve")
    assert {"PRIVACYOPS_PORT=%i", "PRIVACYOPS_WORKER_IN_PROCESS=false"} <= set(api["Environment"])
    worker = parse_unit(UNITS / "privacyops-worker@.service")["Service"]
    assert " worker " in worker["ExecStart"][0] + " "
    migrate = parse_unit(UNITS / "privacyops-migrate.service")["Service"]
    assert migrate["Type"] == ["oneshot"] and migrate["ExecStart"][0].endswith("privacyops db upgrade")
    assert parse_unit(UNITS / "privacyops.target")["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_environment_file_parses_and_sets_what_production_needs() -> None:
    values = dict(line.split("=", 1) for line in (UNITS / "privacyops.env").read_text().splitlines()
                  if line and not line.startswith("#"))
    assert values["PRIVACYOPS_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert values["PRIVACYOPS_DEMO_MODE"] == "false"
    for name in ("PRIVACYOPS_SECRET_KEY", "PRIVACYOPS_HOST_TOKEN_KEY", "PRIVACYOPS_ADMIN_TOKEN",
                 "PRIVACYOPS_PUBLIC_URL", "PRIVACYOPS_QUEUE_URL", "PRIVACYOPS_SMTP_HOST"):
        assert values.get(name), f"privacyops.env leaves {name} out"
    settings = Settings(**{k.removeprefix("PRIVACYOPS_").lower(): v for k, v in values.items()
                           if k.startswith("PRIVACYOPS_")})
    assert settings.worker_in_process is True  # the API unit turns it off, the worker unit needs no server


@pytest.fixture
def units_with_local_paths(tmp_path: Path) -> Path:
    """The units as systemd would load them here: paths pointed at this checkout, instances named."""
    for path in UNITS.iterdir():
        text = path.read_text().replace("/opt/privacyops/venv/bin/privacyops", str(Path(sys.executable).
                                        with_name("privacyops")))
        text = text.replace("/etc/privacyops/privacyops.env", str(tmp_path / "privacyops.env"))
        (tmp_path / path.name).write_text(text)
    (tmp_path / "privacyops-api@8001.service").symlink_to(tmp_path / "privacyops-api@.service")
    (tmp_path / "privacyops-worker@1.service").symlink_to(tmp_path / "privacyops-worker@.service")
    return tmp_path


def test_units_pass_systemd_analyze_verify(units_with_local_paths: Path) -> None:
    folder = units_with_local_paths
    assert Path(sys.executable).with_name("privacyops").exists(), "the privacyops script is not installed"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # a machine without Debian's systemd package: the parser check only
        assert all(parse_unit(folder / name) for name in SERVICES)
        return
    names = ["privacyops-api@8001.service", "privacyops-worker@1.service", "privacyops-migrate.service",
             "privacyops.target"]
    done = subprocess.run([analyze, "verify", "--man=no", *(str(folder / n) for n in names)],
                          capture_output=True, text=True, timeout=120)
    ours = [line for line in done.stderr.splitlines() if "privacyops" in line]
    assert done.returncode == 0 and not ours, done.stderr


def test_compose_has_postgres_migration_two_apis_and_two_workers() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "api-1", "api-2", "worker"}
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]
    for name in ("api-1", "api-2", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        env = service["environment"]
        assert env["PRIVACYOPS_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert env["PRIVACYOPS_QUEUE_URL"].startswith("postgresql://"), name
        assert env["PRIVACYOPS_DEMO_MODE"] == "false", name
        assert "home:/var/lib/privacyops" in service["volumes"], f"{name} must share the home volume"
    assert services["api-1"]["command"] == services["api-2"]["command"] == ["serve"]
    assert services["worker"]["command"][0] == "worker" and services["worker"]["deploy"]["replicas"] == 2
    assert {"home", "pgdata"} <= set(compose["volumes"])
    for name, service in services.items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image by name and tag"


def test_dockerfile_pins_its_base_runs_unprivileged_and_checks_health() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert bases and all(re.fullmatch(r"[\w./-]+:[\w.-]+", b) and not b.endswith(":latest") for b in bases)
    final_stage = text.rsplit("\nFROM ", 1)[1]
    user = re.search(r"^USER\s+(\S+)", final_stage, re.MULTILINE)
    assert user and user.group(1).split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", final_stage, re.MULTILINE)
    assert "PRIVACYOPS_WORKER_IN_PROCESS=false" in text  # the workers are separate containers
    # The build context is the repository: its ignore file keeps the checkout's state out of the image.
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert "**" in ignored and "!src/" in ignored
