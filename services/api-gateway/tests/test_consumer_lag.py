"""Consumer lag from committed and end offsets: the arithmetic, without a broker."""

from __future__ import annotations

from aiokafka.structs import TopicPartition

from herald_gateway.consumer_lag import LAG, lag_by_topic, report

REQ, DUE = "herald.post.requests.v1", "herald.post.due.twitter.v1"


def tp(topic: str, partition: int) -> TopicPartition:
    return TopicPartition(topic, partition)


def test_lag_sums_end_minus_committed_per_topic() -> None:
    committed = {tp(REQ, 0): 10, tp(REQ, 1): 7}
    end = {tp(REQ, 0): 15, tp(REQ, 1): 7, tp(DUE, 0): 99}
    # DUE is not consumed by this group: not reported.
    assert lag_by_topic(committed, {}, end) == {REQ: 5}


def test_a_partition_without_a_commit_counts_from_its_log_start() -> None:
    committed = {tp(REQ, 0): 4, tp(REQ, 1): -1}
    beginning = {tp(REQ, 0): 0, tp(REQ, 1): 3, tp(REQ, 2): 2}
    end = {tp(REQ, 0): 4, tp(REQ, 1): 8, tp(REQ, 2): 6}
    assert lag_by_topic(committed, beginning, end) == {REQ: 0 + 5 + 4}


def test_lag_is_never_negative() -> None:
    # An end offset read before a commit that has since moved on.
    assert lag_by_topic({tp(REQ, 0): 12}, {}, {tp(REQ, 0): 10}) == {REQ: 0}


def test_report_replaces_every_series() -> None:
    report({("scheduler", REQ): 3, ("publisher-twitter", DUE): 1})
    report({("scheduler", REQ): 0})
    samples = {(s.labels["group"], s.labels["topic"]): s.value for s in LAG.collect()[0].samples}
    assert samples == {("scheduler", REQ): 0}
