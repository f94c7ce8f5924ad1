"""One bench run, phase by phase: baselines and system figures measured side by side."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench import hops, pipeline, profiling, rawbroker, rawdb, surveys, tlog_cost
from bench.httpload import LoadConfig, run_load
from bench.longstream import LONG_STREAM_EVENTS, long_stream
from bench.plan import Plan, sample_body_bytes
from bench.sessions import SessionSampler
from bench.stack import Monitor, Stack, stop
from tests.support.system import free_port, token

PROFILED_CONCURRENCY = 32
PROFILE_SECONDS = 600
SETTLE_TIMEOUT = 120.0
REST_SECONDS = 3.0
TLOG_COST_CLIENTS = (8, 32)
PHASES = ("raw_baselines", "http", "tlog_cost", "long_stream", "survey_import", "end_to_end",
          "at_rest", "backlog")
IDLE_AFTER_SECONDS = 3.0
"""Longer than a consumer's wait before it polls at its idle pace."""


def say(message: str) -> None:
    """One progress line (on stderr, so stdout is the table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run:
    """Holds the stack, the plan and the results while the phases fill them in."""

    def __init__(self, stack: Stack, plan: Plan, results: dict[str, Any], profile: bool) -> None:
        self.stack, self.plan, self.profile = stack, plan, profile
        self.base: dict[str, Any] = results["baselines"]
        self.system: dict[str, Any] = results["system"]
        self.results = results
        self.monitor = Monitor(stack)
        self.body = sample_body_bytes().decode()
        self.token = token("operator", ["KZ-75"], "bench")

    def all(self, only: tuple[str, ...] = ()) -> None:
        """Every phase in order, or only those named; the pipeline phases stop and restart services,
        so they go last."""
        time.sleep(REST_SECONDS)
        self.system["rss_rest_mb"] = self.monitor.rss()
        self.system["cpu_percent"] = self.monitor.cpu
        for phase in only or PHASES:
            getattr(self, phase)()
        self.system["rss_peak_mb"] = self.monitor.peaks

    def raw_baselines(self) -> None:
        """(b) insert tx/s at 1 and 16 connections, (c) COPY rows/s, (d) broker produce/consume."""
        url, plan = self.stack.database_url, self.plan
        asyncio.run(rawdb.create_table(url))
        for n in (1, 16):
            say(f"raw insert transactions, {n} connections, {plan.insert_seconds:.0f}s")
            self.base[f"insert_{n}"] = asyncio.run(rawdb.insert_rate(url, n, plan.insert_seconds))
        say(f"raw insert transactions under one advisory lock, 16 connections, {plan.insert_seconds:.0f}s")
        self.base["insert_16_locked"] = asyncio.run(rawdb.insert_rate(url, 16, plan.insert_seconds,
                                                                      locked=True))
        say(f"raw COPY, {plan.copy_rows} rows")
        self.base["copy"] = asyncio.run(rawdb.copy_rate(url, plan.copy_rows))
        say(f"raw broker produce/consume, {plan.broker_messages} messages")
        self.base["broker"] = asyncio.run(rawbroker.produce_consume(self.stack.bootstrap,
                                                                    plan.broker_messages))

    def http(self) -> None:
        """(a) and intake at each concurrency level, alternating so both see the same machine."""
        simple_url, simple = self._start_simple_endpoint()
        self.monitor.extra["simple-endpoint"] = simple.pid
        self.base["simple_endpoint"], self.system["intake"] = {}, {}
        try:
            for c in self.plan.concurrency:
                say(f"simplest write endpoint, {c} clients, {self.plan.http_seconds:.0f}s")
                with self.monitor.watching(f"simple_endpoint_{c}_clients"):
                    self.base["simple_endpoint"][str(c)] = run_load(self._closed(simple_url, c, None))
                self.settle()
                say(f"intake POST /v1/cases, {c} clients, {self.plan.http_seconds:.0f}s")
                self.system["intake"][str(c)] = self._intake_load(c)
                self.settle()
        finally:
            simple.terminate()
            simple.wait(15)
            del self.monitor.extra["simple-endpoint"]

    def tlog_cost(self) -> None:
        """Intake with and without its log keeper at 8 and 32 clients, in the order with, without,
        without, with (neither side always first on a noisy machine); the cost of the mean rates."""
        self.system["tlog_cost"] = out = dict[str, Any]()
        try:
            for c in TLOG_COST_CLIENTS:
                runs: dict[str, list[dict[str, Any]]] = {"with_keeper": [], "without_keeper": []}
                for keeper in (True, False, False, True):
                    side = "with_keeper" if keeper else "without_keeper"
                    tlog_cost.restart_intake(self.stack, keeper)
                    left = tlog_cost.wait_sequenced(self.stack) if keeper else 0
                    say(f"intake POST /v1/cases {side.replace('_', ' ')}, {c} clients")
                    result = self._intake_load(c, f"tlog_{side}_{len(runs[side]) + 1}")
                    runs[side].append({**result, "unsequenced_at_start": left})
                    self.settle()
                sides = {side: tlog_cost.summary(r) for side, r in runs.items()}
                out[str(c)] = {**sides, "cost": tlog_cost.cost_ratio(
                    sides["with_keeper"]["rps"], sides["without_keeper"]["rps"])}
                say(f"the keeper's cost at {c} clients: {out[str(c)]['cost']}")
        finally:
            tlog_cost.restart_intake(self.stack, True)

    def long_stream(self) -> None:
        """Triage of a 500-event case against triage of a new case: what a long stream costs."""
        say(f"triage of a new case and of a {LONG_STREAM_EVENTS}-event case, 8 clients")
        with self.monitor.watching("long_stream"):
            self.system["long_stream"] = long_stream(
                self.stack.system.intake_url, self.token, self.body, self.plan.http_seconds,
                self.plan.http_warmup)
        self.settle()

    def survey_import(self) -> None:
        """A 100k-row survey wave imported (CSV, then XLSX) against a raw COPY of its rows."""
        say(f"survey wave of {surveys.SURVEY_ROWS} rows: raw COPY, then imported as CSV and XLSX")
        with self.monitor.watching("survey_import"):
            self.base["survey_copy"], self.system["survey_import"] = surveys.measure(
                self.stack.database_url, self.stack.system.intake_url,
                token("analyst", ["*"], "bench"))
        self.settle()

    def _closed(self, base_url: str, concurrency: int, bearer: str | None) -> LoadConfig:
        return LoadConfig(url=f"{base_url}/v1/cases", body=self.body, seconds=self.plan.http_seconds,
                          warmup=self.plan.http_warmup, concurrency=concurrency, token=bearer)

    def _intake_load(self, c: int, label: str = "intake") -> dict[str, Any]:
        config = self._closed(self.stack.system.intake_url, c, self.token)
        profile = self.profile and c == PROFILED_CONCURRENCY and label == "intake"
        sessions = SessionSampler(self.stack.database_url)
        with self.profiled("intake", f"intake_post_{c}_clients", profile), \
                self.monitor.watching(f"{label}_{c}_clients"), sessions.sampling():
            result = run_load(config)
        result["sessions"] = sessions.summary()
        return result

    @contextmanager
    def profiled(self, name: str, label: str, wanted: bool = True) -> Iterator[None]:
        """py-spy samples of one service for the block (when --profile), summarised in results."""
        proc = self.stack.system.processes[name].process
        if not (self.profile and wanted) or proc is None:
            yield
            return
        folded = self.stack.workdir / f"profile-{label}.txt"
        sampler = profiling.start(proc.pid, PROFILE_SECONDS, folded)
        try:
            yield
        finally:
            if sampler is not None:
                sampler.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
                sampler.wait(30)
                if folded.exists():
                    self.results.setdefault("profiles", {})[label] = {
                        "process": name, **profiling.summarize(folded)}

    def _start_simple_endpoint(self) -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        env = {**os.environ, "BENCH_DATABASE_URL": self.stack.database_url, "BENCH_PORT": str(port)}
        log = (self.stack.workdir / "simple-endpoint.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "bench.simple_endpoint"], env=env,
                                stdout=log, stderr=subprocess.STDOUT,
                                cwd=Path(__file__).resolve().parents[1])
        log.close()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the simplest endpoint exited; see {log.name}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    return url, proc
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        proc.kill()
        raise RuntimeError("the simplest endpoint did not start in 60s")

    def end_to_end(self) -> None:
        """Open loop at a steady rate; from each 2xx to the case being in reporting's register.

        When intake cannot keep up with the target rate, the latency is mostly queueing; a second
        run at half of intake's best closed-loop rate shows the pipeline's own latency.
        """
        target = self.plan.e2e_rate
        self.system["end_to_end"] = self._open_loop("end_to_end", target)
        peak = max((r["rps"] for r in self.system.get("intake", {}).values()), default=0.0)
        if self.system["end_to_end"]["rps"] < 0.95 * target and peak:
            self.system["end_to_end_sustainable"] = self._open_loop(
                "end_to_end_sustainable", round(min(target, peak / 2), 1))

    def _open_loop(self, phase: str, rate: float) -> dict[str, Any]:
        say(f"{phase}, {rate:.0f}/s for {self.plan.e2e_seconds:.0f}s")
        config = LoadConfig(url=f"{self.stack.system.intake_url}/v1/cases", body=self.body,
                            seconds=self.plan.e2e_seconds, rate=rate, token=self.token,
                            visible_dsn=self.stack.database_url)
        with self.monitor.watching(phase):
            result = run_load(config)
        self.settle()
        walls = result.pop("case_walls", {})
        try:
            result["hops"] = hops.measure(self.stack.database_url, self.stack.bootstrap, walls)
        except Exception as exc:  # a figure missing is reported, not fatal to the run
            result["hops"] = {"error": repr(exc)}
        return result

    def at_rest(self) -> None:
        """CPU of every process while nothing happens, after the consumers slowed to idle."""
        time.sleep(IDLE_AFTER_SECONDS)
        say(f"at rest for {self.plan.rest_seconds:.0f}s")
        with self.monitor.watching("at_rest"):
            time.sleep(self.plan.rest_seconds)
        use = self.system["cpu_percent"]["at_rest"]
        services = {n: v for n, v in use.items() if n not in self.stack.servers}
        self.system["at_rest"] = {
            "seconds": self.plan.rest_seconds, "percent_of_one_core": use,
            "services_and_broker": round(sum(services.values()) + use.get("broker", 0.0), 1),
            "postgres": round(sum(v for n, v in use.items() if n.startswith("postgres")), 1)}

    def backlog(self) -> None:
        """Relay, consumer apply and rebuild rates over a backlog appended while they were stopped."""
        system, n = self.stack.system, self.plan.backlog_events
        for name in [*(p for p in system.processes if p.endswith("-worker")), "intake"]:
            stop(self.stack, name)
        say(f"appending a backlog of {n} events through EventStore (intake and workers stopped)")
        self.system["backlog_append"] = asyncio.run(pipeline.append_backlog(self.stack.database_url, n))
        say("relay: starting intake, timing the backlog's publication")
        with self.monitor.watching("relay"):
            self.system["relay"] = asyncio.run(pipeline.relay_rate(self.stack, within=600))
        say("consumer: starting reporting's worker, timing the backlog's projection")
        mark = asyncio.run(pipeline.apply_mark(self.stack))
        system.start("reporting-worker")
        with self.monitor.watching("apply"), self.profiled("reporting-worker", "projector_apply"):
            self.system["apply"] = asyncio.run(pipeline.apply_rate(self.stack, mark, n, within=1500))
        events = int(asyncio.run(self.stack.value(pipeline.COUNT_APPLIED, pipeline.PROJECTOR)))
        say(f"rebuild of reporting over {events} events")
        folded = self.stack.workdir / "profile-rebuild.txt"
        with self.monitor.watching("rebuild"):
            self.system["rebuild"] = pipeline.run_rebuild(
                self.stack, events, self.stack.workdir / "rebuild.log", timeout=1800,
                profile_to=folded if self.profile else None)
        if folded.exists():
            self.results.setdefault("profiles", {})["rebuild"] = {
                "process": "rebuild", **profiling.summarize(folded)}

    def settle(self) -> None:
        """Wait until reporting's projector has been idle for a second (backlog of the last phase).

        Gives up after SETTLE_TIMEOUT and notes it in `system.unsettled`: the next phase then starts
        with a backlog, which its figures include.
        """
        deadline = time.monotonic() + SETTLE_TIMEOUT
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = int(asyncio.run(self.stack.value(pipeline.COUNT_APPLIED, pipeline.PROJECTOR)))
            if count != last:
                last, quiet_since = count, time.monotonic()
            elif time.monotonic() - quiet_since >= 1.0:
                return
            time.sleep(0.25)
        self.system.setdefault("unsettled", []).append(
            {"after": list(self.monitor.cpu)[-1] if self.monitor.cpu else None, "applied": last})
        say(f"reporting's projector still busy after {SETTLE_TIMEOUT:.0f}s; going on")

