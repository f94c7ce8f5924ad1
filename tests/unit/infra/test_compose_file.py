"""docker-compose.yml runs every process of the catalog on Apache Kafka (KRaft) and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.runtime.catalog import service_processes
from services.runtime.settings import SERVICE_PORTS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_process_of_the_catalog_has_its_container_with_its_command() -> None:
    services = compose()["services"]
    for proc in service_processes():
        assert proc.name in services, f"docker-compose.yml has no {proc.name}"
        entry = services[proc.name]
        assert entry["command"] == ["python", "-m", proc.module], proc.name
        assert entry["depends_on"]["init"]["condition"] == "service_completed_successfully"
        if proc.api:
            port = SERVICE_PORTS[proc.service]
            assert entry["ports"] == [f"127.0.0.1:${{{proc.service.upper()}_PORT:-{port}}}:{port}"]
            assert f"http://127.0.0.1:{port}/readyz" in " ".join(entry["healthcheck"]["test"])
        else:
            assert "ports" not in entry, f"{proc.name} publishes nothing"
    console = services["console"]["environment"]
    for service in ("intake", "assignment", "review", "reporting"):
        assert console[f"{service.upper()}_URL"] == f"http://{service}:{SERVICE_PORTS[service]}"


def test_the_servers_are_apache_kafka_in_kraft_mode_and_postgresql() -> None:
    services = compose()["services"]
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert set(kafka["environment"]["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "zookeeper" not in services
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["init"]["command"] == ["python", "-m", "infra.local", "init"]
    published = [p for entry in services.values() for p in entry.get("ports", [])]
    assert all(p.startswith("127.0.0.1:") for p in published), "everything on loopback"


def compose_cli() -> list[str] | None:
    """`docker compose` if the plugin answers, else `docker-compose`, else None."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file_where_compose_exists() -> None:
    cli = compose_cli()
    if cli is None:
        pytest.skip("no docker compose here: the structural checks above ran instead")
    done = subprocess.run([*cli, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
