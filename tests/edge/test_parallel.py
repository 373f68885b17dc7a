"""split_map: the second half of the work in a forked child, the same answer as one process."""

from __future__ import annotations

import os

import pytest

from ledgerops.edge import parallel

pytestmark = pytest.mark.skipif(
    not parallel.can_split(), reason="this machine does not fork onto a second core"
)


def squares_with_worker(items: list[int]) -> list[tuple[int, int]]:
    return [(item * item, os.getpid()) for item in items]


def test_the_halves_come_back_in_order_from_two_processes() -> None:
    results = parallel.split_map(squares_with_worker, list(range(1001)))
    assert [square for square, _ in results] == [n * n for n in range(1001)]
    workers = {pid for _, pid in results}
    assert os.getpid() in workers and len(workers) == 2


@pytest.mark.parametrize("failure", ["raise", "exit"])
def test_a_child_that_fails_leaves_its_half_to_the_parent(failure: str) -> None:
    parent = os.getpid()

    def work(items: list[int]) -> list[tuple[int, int]]:
        if os.getpid() != parent:
            if failure == "raise":
                raise MemoryError("the child ran out")
            os._exit(9)  # killed mid-way: nothing on the pipe
        return squares_with_worker(items)

    results = parallel.split_map(work, list(range(100)))
    assert results == [(n * n, parent) for n in range(100)]
