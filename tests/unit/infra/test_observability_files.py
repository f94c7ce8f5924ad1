"""The alert rules and the dashboard under infra/ name only metrics the services export."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

pytestmark = pytest.mark.unit

INFRA = Path(__file__).resolve().parents[3] / "infra"
METRIC = re.compile(r"\bcasetrack_[a-z0-9_]+")
MODULES = ("services.runtime.middleware", "services.runtime.relay", "services.runtime.consumer",
           "services.runtime.metrics", "services.runtime.consumer_loop",
           "services.runtime.pipeline", "services.runtime.tlog.keeper",
           "services.reporting.analytics")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exported_names() -> set[str]:
    """Every series name the services' modules register, as Prometheus scrapes it."""
    for module in MODULES:
        importlib.import_module(module)
    return {family.name + suffix for family in REGISTRY.collect()
            for suffix in SUFFIXES.get(family.type, ("",))}


def rule_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((INFRA / "prometheus" / "alerts.yml").read_text())
    return loaded


def test_every_alert_rule_is_complete_and_names_only_exported_metrics() -> None:
    rules = [rule for group in rule_file()["groups"] for rule in group["rules"]]
    assert len(rules) >= 8
    exported = exported_names()
    for rule in rules:
        assert {"alert", "expr", "for", "labels", "annotations"} <= set(rule), rule
        assert rule["labels"]["severity"] in {"page", "warn"}
        named = set(METRIC.findall(rule["expr"]))
        assert named, f"{rule['alert']} names no casetrack metric"
        assert named <= exported, f"{rule['alert']}: unknown {named - exported}"


def test_the_alert_rules_pass_promtool_when_it_is_installed() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed here (not downloaded on purpose); YAML checks ran")
    done = subprocess.run([promtool, "check", "rules", str(INFRA / "prometheus" / "alerts.yml")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_dashboard_panel_queries_only_exported_metrics() -> None:
    dashboard = json.loads((INFRA / "grafana" / "casetrack.json").read_text())
    exported = exported_names()
    seen: set[str] = set()
    for panel in dashboard["panels"]:
        exprs = [t["expr"] for t in panel["targets"]]
        assert exprs, panel["title"]
        for expr in exprs:
            named = set(METRIC.findall(expr))
            assert named and named <= exported, f"{panel['title']}: unknown {named - exported}"
            seen |= named
    for wanted in ("casetrack_command_seconds_bucket", "casetrack_append_seconds_bucket",
                   "casetrack_commit_seconds_bucket", "casetrack_relay_backlog_events",
                   "casetrack_relay_backlog_seconds", "casetrack_consumer_lag_messages",
                   "casetrack_consumer_lag_seconds", "casetrack_dead_letters_waiting",
                   "casetrack_consumer_events_total"):
        assert wanted in seen, f"the dashboard shows no {wanted}"


def test_a_misspelt_metric_would_be_caught() -> None:
    """The check above can fail: a name the services do not export is not in the set."""
    assert "casetrack_relay_backlog_event" not in exported_names()
