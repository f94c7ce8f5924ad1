"""The witness's rule: cosign only a checkpoint that extends, append-only, what it saw before."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.witness import ForkDetected, Seen, check_append_only, load_state, save_state
from events.tlog import Checkpoint, consistency_proof, leaf_hash, root_hash

pytestmark = pytest.mark.unit

LEAVES = [leaf_hash(bytes([i])) for i in range(12)]
ORIGIN = "casetrack/intake/test"


def seen(size: int, leaves: list[bytes] = LEAVES) -> Seen:
    return Seen(ORIGIN, size, root_hash(leaves[:size]), "note")


def checkpoint(size: int, leaves: list[bytes] = LEAVES) -> Checkpoint:
    return Checkpoint(ORIGIN, size, root_hash(leaves[:size]))


def test_growth_with_a_valid_consistency_proof_is_cosigned() -> None:
    check_append_only(seen(5), checkpoint(12), consistency_proof(LEAVES, 5))
    check_append_only(None, checkpoint(12), None)
    check_append_only(seen(12), checkpoint(12), None)


def test_a_rewritten_history_is_refused_as_a_fork() -> None:
    rewritten = [leaf_hash(b"edited"), *LEAVES[1:]]
    with pytest.raises(ForkDetected, match="not consistent"):
        check_append_only(seen(5), checkpoint(12, rewritten), consistency_proof(rewritten, 5))


def test_a_log_that_shrank_or_forked_at_the_same_size_is_refused() -> None:
    with pytest.raises(ForkDetected, match="went back"):
        check_append_only(seen(8), checkpoint(5), None)
    with pytest.raises(ForkDetected, match="two different trees"):
        check_append_only(seen(5), checkpoint(5, [leaf_hash(b"x"), *LEAVES[1:]]), None)


def test_state_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert load_state(path) == {}
    save_state(path, {ORIGIN: seen(7)})
    assert load_state(path) == {ORIGIN: seen(7)}
