"""Print the KPI summary of a running system: python -m services.reporting.show --region KZ-75.

Without --from/--to it shows the last four months, the current one included (Almaty dates).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import httpx

from events.calendar import AGENCY_TIME_ZONE, add_months
from services.runtime.auth import issue_token
from services.runtime.clock import SYSTEM_CLOCK, today
from services.runtime.settings import get_settings


def last_four_months(on: date) -> tuple[date, date]:
    """From the first day three months back to the last day of this month."""
    first = add_months(on.replace(day=1), -3)
    return first, add_months(on.replace(day=1), 1) - timedelta(days=1)


def render(body: dict[str, Any]) -> str:
    """The summary as a few readable lines."""
    def line(label: str, kpi: dict[str, Any]) -> str:
        outcomes = ", ".join(f"{k} {v}" for k, v in kpi["resolved_by_outcome"].items()) or "-"
        return (f"{label:<12} registered {kpi['registered']:>4}  resolved {kpi['resolved']:>4}"
                f" ({outcomes})  median {kpi['median_days_to_resolve']} d"
                f"  p90 {kpi['p90_days_to_resolve']} d  breaches {kpi['deadline_breaches']}"
                f"  reopen {kpi['reopen_rate']}  review coverage {kpi['review_coverage']}"
                f"  approval {kpi['approval_rate']}")

    out = [f"casetrack summary {body['from']} .. {body['to']} ({AGENCY_TIME_ZONE.key})"
           f" region {body['region'] or 'all visible'}", line("total", body)]
    out += [line(region, kpi) for region, kpi in body["by_region"].items()]
    out += [line(month["from"][:7], month) for month in body["months"]]
    for addressee, buckets in body["directives_by_addressee"].items():
        out.append(f"directives  {addressee}: " + ", ".join(f"{k} {v}" for k, v in buckets.items()))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch GET /v1/reports/summary with a dev analyst token and print it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", default=None)
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=None)
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=None)
    parser.add_argument("--json", action="store_true", help="print the raw JSON")
    args = parser.parse_args(argv)
    settings = get_settings()
    default_start, default_end = last_four_months(today(SYSTEM_CLOCK))
    params = {"from": (args.start or default_start).isoformat(),
              "to": (args.end or default_end).isoformat()}
    if args.region:
        params["region"] = args.region
    token = issue_token("dev-analyst", "analyst", [args.region] if args.region else ["*"],
                        secret=settings.jwt_secret, ttl_seconds=300)
    response = httpx.get(f"{settings.url_of('reporting')}/v1/reports/summary", params=params,
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    if response.status_code != 200:
        print(response.text, file=sys.stderr)
        return 1
    print(response.text if args.json else render(response.json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
