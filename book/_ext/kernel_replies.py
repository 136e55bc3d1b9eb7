"""Wait for a kernel's replies in short steps, so a missed wake-up costs a moment, not the timeout.

When a cell uses an ipywidgets ``Output`` widget (``widgets.interact``), the client that runs
the notebook sometimes misses the moment the kernel's reply arrives (nbclient issue #312): the
reply waits, unread, until the wait for it times out. In the book's build that is the cell
time limit, 120 s. Seen here: in one kernel, 8 of 120 runs of an ``interact`` cell waited the
whole limit; with waits of at most ``STEP`` seconds, each such run waited ``STEP`` seconds.

This Sphinx extension makes the notebook client's wait for a message a loop of short waits up
to the same total, in the build's processes only.
"""
import time
from queue import Empty

from jupyter_client.channels import AsyncZMQSocketChannel

STEP = 0.25  # seconds: the longest a missed wake-up can delay a cell
_wait_once = AsyncZMQSocketChannel.get_msg


async def get_msg_in_steps(channel, timeout=None):
    """``AsyncZMQSocketChannel.get_msg`` in waits of at most STEP seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = STEP if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            return await _wait_once(channel, timeout=min(STEP, left))
        except Empty:
            if deadline is not None and time.monotonic() >= deadline:
                raise


def setup(app):
    AsyncZMQSocketChannel.get_msg = get_msg_in_steps
    return {"parallel_read_safe": True, "parallel_write_safe": True}
