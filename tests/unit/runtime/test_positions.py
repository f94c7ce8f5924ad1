"""A consumer's next positions, per partition of each topic incarnation."""

from __future__ import annotations

import pytest

from services.runtime.consumer import Message, next_positions

pytestmark = pytest.mark.unit


def _message(partition: int, offset: int, topic_id: str | None) -> Message:
    return Message("t", partition, offset, None, None, [], topic_id)


def test_the_next_position_is_one_past_the_last_message_of_each_partition_and_incarnation() -> None:
    messages = [_message(0, 4, "a"), _message(0, 7, "a"), _message(1, 2, "a"), _message(1, 5, "b")]
    assert next_positions(messages) == {("t", "a", 0): 8, ("t", "a", 1): 3, ("t", "b", 1): 6}


def test_a_message_from_an_unknown_incarnation_moves_no_position() -> None:
    assert next_positions([_message(0, 9, None)]) == {}
