"""A report's cut: per owning service, every event up to a position in that owner's log.

Reporting keeps each fact's position in its owner's log (`history.log_position`, from the
message). A cut names one position per owner; the facts "at the cut" are those at or below it
(plus facts kept before positions were recorded, which precede every cut). Recomputing from the
same cut reads the same facts, whatever arrived since and across rebuilds (which re-read the
positions from the topics); `FactSummary` lets a reader check that it did.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REVIEW_TOPIC
from services.reporting.facts import Fact
from services.runtime.db import Conn

CUT_TOPICS = (INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC)
"""The owners' topics a cut names a position for."""
CUT_PATTERN = re.compile(r"^[a-z][a-z_]*:\d{1,18}(,[a-z][a-z_]*:\d{1,18})*$", re.ASCII)


def owner_of_topic(topic: str) -> str:
    """The owning service of a topic (`casetrack.intake.v1` → `intake`)."""
    return topic.split(".")[1]


@dataclass(frozen=True)
class Cut:
    """Per owner, the last log position included."""

    positions: Mapping[str, int]

    def text(self) -> str:
        """`intake:120,assignment:80,review:33`: the form the API takes back."""
        return ",".join(f"{owner}:{p}" for owner, p in sorted(self.positions.items()))

    @classmethod
    def parse(cls, text: str) -> Cut:
        """A cut from its text; raises ValueError naming what is wrong."""
        if not CUT_PATTERN.fullmatch(text):
            raise ValueError("a cut is owner:position pairs separated by commas, "
                             "e.g. intake:120,assignment:80,review:33")
        pairs = [part.split(":") for part in text.split(",")]
        owners = [o for o, _ in pairs]
        known = {owner_of_topic(t) for t in CUT_TOPICS}
        if len(set(owners)) != len(owners) or not set(owners) <= known:
            raise ValueError(f"each owner at most once, among {', '.join(sorted(known))}")
        return cls({o: int(p) for o, p in pairs})


@dataclass(frozen=True)
class FactSummary:
    """How many facts of each owner a computation read, and a digest of which."""

    counts: dict[str, int]
    digest: str


def summarize(facts: Collection[Fact]) -> FactSummary:
    """The summary of a set of facts: counts per owner and SHA-256 over the sorted event ids."""
    counts: dict[str, int] = {}
    for fact in facts:
        owner = owner_of_topic(fact.topic)
        counts[owner] = counts.get(owner, 0) + 1
    digest = hashlib.sha256("\n".join(sorted(str(f.event_id) for f in facts)).encode())
    return FactSummary(dict(sorted(counts.items())), digest.hexdigest())


async def current_cut(conn: Conn, schema: str) -> Cut:
    """The cut of everything reporting holds now: per owner, the highest position kept."""
    positions = {}
    for topic in CUT_TOPICS:
        top = await conn.fetchval(
            f"SELECT max(log_position) FROM {schema}.history WHERE topic = $1", topic)
        positions[owner_of_topic(topic)] = int(top or 0)
    return Cut(positions)


async def facts_at(conn: Conn, schema: str, cut: Cut, stream_types: Collection[str]) -> list[Fact]:
    """The facts of some stream types at or below the cut, in the owners' log order."""
    topics = [t for t in CUT_TOPICS if owner_of_topic(t) in cut.positions]
    rows = await conn.fetch(
        f"""SELECT h.* FROM {schema}.history h
            LEFT JOIN unnest($1::text[], $2::bigint[]) AS c(topic, upto) ON c.topic = h.topic
            WHERE h.stream_type = ANY($3::text[])
              AND (h.log_position IS NULL OR h.log_position <= c.upto)
            ORDER BY h.topic, h.log_position NULLS FIRST, h.event_id""",
        topics, [cut.positions[owner_of_topic(t)] for t in topics], list(stream_types))
    return [Fact.from_row(row) for row in rows]
