"""`make run REPLICAS=2`: two processes of every API and worker, each on its own ports."""

from __future__ import annotations

import pytest

from infra.local.processes import default_specs
from services.runtime.catalog import service_processes
from services.runtime.membership import share

pytestmark = pytest.mark.unit


def test_two_replicas_make_two_of_every_process_on_distinct_ports() -> None:
    one = default_specs({})
    two = default_specs({"CASETRACK_REPLICAS": "2", "INTAKE_PORT": "9001"})
    assert len(two) == 2 * len(one) == 2 * len(service_processes())
    names = [s.name for s in two]
    assert len(set(names)) == len(names)
    assert {"intake", "intake-2", "reporting-worker", "reporting-worker-2"} <= set(names)
    by_name = {s.name: s for s in two}
    assert by_name["intake"].ready_url == "http://127.0.0.1:9001/readyz"
    assert by_name["intake-2"].ready_url == "http://127.0.0.1:9011/readyz"
    assert by_name["intake-2"].env == {"INTAKE_PORT": "9011"}
    ports = [s.ready_url for s in two if s.ready_url] + [
        s.env["CASETRACK_METRICS_PORT"] for s in two if s.ready_url is None]
    assert len(set(ports)) == len(ports), "no two processes share a port"


def test_replicas_split_partitions_without_overlap_or_gap() -> None:
    partitions = [(t, p) for t in ("a", "b") for p in range(6)]
    for members in (1, 2, 3, 5):
        shares = [share(partitions, place, members) for place in range(members)]
        flat = [p for s in shares for p in s]
        assert sorted(flat) == sorted(partitions), members
        assert max(map(len, shares)) - min(map(len, shares)) <= 1
