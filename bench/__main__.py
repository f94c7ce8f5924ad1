"""`python -m bench [--quick] [--profile]`: run every measurement, print the table, save the JSON."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import asdict, replace
from typing import Any

from bench.plan import Plan
from bench.report import machine, ratios, table, targets, versions, write
from bench.run import PHASES, Run, say
from bench.soak import run_soak
from bench.stack import local_stack


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK") == "1",
                        help="smaller counts, under 5 minutes (also QUICK=1)")
    parser.add_argument("--profile", action="store_true", default=os.environ.get("PROFILE") == "1",
                        help="sample intake with py-spy at 32 clients (also PROFILE=1)")
    parser.add_argument("--services", default=os.environ.get("SERVICES", ""),
                        help="comma-separated services to run (default: every service present)")
    parser.add_argument("--clients", default="",
                        help="comma-separated client counts instead of the plan's, e.g. 1,8,32")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs, data)")
    parser.add_argument("--soak", action="store_true", default=os.environ.get("SOAK") == "1",
                        help="only the soak: mixed commands at SOAK_RATE/s for SOAK_SECONDS")
    parser.add_argument("--phases", default="",
                        help=f"comma-separated phases to run, of {', '.join(PHASES)} (default: all)")
    args = parser.parse_args(argv)
    # The bench measures the services' capacity from one token: rate limits would cap it instead.
    os.environ.setdefault("CASETRACK_RATE_LIMITS", "{}")
    for name in ("aiokafka", "kafka"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    plan = Plan.choose(args.quick)
    if args.clients:
        plan = replace(plan, concurrency=tuple(int(c) for c in args.clients.split(",")))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results: dict[str, Any] = {"started_at": stamp, "quick": plan.quick, "plan": asdict(plan),
                               "machine": machine(), "versions": versions(),
                               "services": args.services or "all", "baselines": {}, "system": {}}
    started = time.monotonic()
    say(f"{'quick' if plan.quick else 'full'} run: starting Postgres, the broker and the services")
    with local_stack([s for s in args.services.split(",") if s], args.keep) as stack:
        say(f"stack ready in {stack.workdir}")
        if args.soak:
            soaked = run_soak(stack)
            path = write({"started_at": stamp, "machine": machine(), "soak": soaked}, stamp)
            print(json.dumps(soaked, indent=1))
            say(f"soak results in {path}")
            return 0 if soaked["within_target"] else 1
        try:
            Run(stack, plan, results, args.profile).all(
                tuple(p for p in args.phases.split(",") if p))
        except Exception as exc:  # keep what was measured; the report says what failed
            results["error"] = repr(exc)
            say(f"failed: {exc!r}")
    results["seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["load_average_end"] = os.getloadavg()
    results["ratios"] = ratios(results)
    results["targets"] = targets(results)
    path = write(results, stamp)
    print(table(results))
    say(f"results in {path} ({results['seconds']:.0f}s)")
    return 1 if "error" in results else 0


if __name__ == "__main__":
    sys.exit(main())
