"""The build waits for kernel replies in short steps (book/_ext/kernel_replies.py)."""
import asyncio
import importlib.util
import time
from pathlib import Path
from queue import Empty

import pytest

SPEC = importlib.util.spec_from_file_location(
    "kernel_replies", Path(__file__).resolve().parent.parent / "book" / "_ext" / "kernel_replies.py")
kernel_replies = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(kernel_replies)


class MissedWakeUp:
    """A channel whose reply is there, but a long wait does not see it until it times out."""

    def __init__(self):
        self.waits = []

    async def get_msg(self, timeout=None):
        self.waits.append(timeout)
        if timeout is None or timeout > 1:
            await asyncio.sleep(0.05)  # stands for the whole timeout
            raise Empty
        return {"msg_type": "execute_reply"}


def test_a_missed_reply_is_read_after_one_short_wait(monkeypatch):
    channel = MissedWakeUp()
    monkeypatch.setattr(kernel_replies, "_wait_once", MissedWakeUp.get_msg)
    reply = asyncio.run(kernel_replies.get_msg_in_steps(channel, timeout=120))
    assert reply == {"msg_type": "execute_reply"}
    assert channel.waits == [kernel_replies.STEP]


def test_no_reply_still_times_out_at_the_total(monkeypatch):
    async def never(channel, timeout=None):
        await asyncio.sleep(timeout)
        raise Empty

    monkeypatch.setattr(kernel_replies, "_wait_once", never)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(kernel_replies.get_msg_in_steps(object(), timeout=0.6))
    assert 0.55 < time.monotonic() - start < 1.0
