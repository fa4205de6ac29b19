"""Shutdown without dropped requests (factor IX): drain first, then stop.

On SIGTERM a load balancer may still send requests for a few seconds, until it sees that the
process is going away. So the gunicorn master first only marks the service as draining, which
makes ``/readyz`` answer 503 while every request is still served; after ``DRAIN_SECONDS`` it
stops as gunicorn does: closes the listening socket and lets in-flight requests finish.

The flag lives in one byte of memory shared with the workers, which are forked from the master
after this module is imported (gunicorn.conf.py imports it).
"""

from __future__ import annotations

import logging
import mmap
import time
from collections.abc import Callable
from typing import Protocol

# MAP_SHARED and anonymous: the same byte in the master and every forked worker.
_draining = mmap.mmap(-1, 1)


class Arbiter(Protocol):
    """The part of gunicorn's master process (gunicorn.arbiter.Arbiter) this module uses."""

    log: logging.Logger
    handle_term: Callable[[], None]


def draining() -> bool:
    """True once the master received SIGTERM: readiness must fail from now on."""
    return _draining[0] == 1


def drain_before_stop(arbiter: Arbiter, seconds: int) -> None:
    """Make the arbiter's SIGTERM handling drain for ``seconds`` before its graceful stop."""
    stop = arbiter.handle_term

    def drain_then_stop() -> None:
        _draining[0] = 1
        arbiter.log.info("SIGTERM: readiness fails for %s s while requests are served", seconds)
        # The workers keep serving on their own; the master only waits.
        time.sleep(seconds)
        stop()

    arbiter.handle_term = drain_then_stop
