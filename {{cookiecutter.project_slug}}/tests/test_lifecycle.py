"""SIGTERM drains first: readiness fails while requests are served, then gunicorn stops."""

import logging
import time
from collections.abc import Callable, Iterator

import pytest

from {{ cookiecutter.project_slug }} import lifecycle


class FakeArbiter:
    """What lifecycle uses of gunicorn's master process."""

    def __init__(self) -> None:
        self.log = logging.getLogger("test.arbiter")
        self.events: list[str] = []
        self.handle_term: Callable[[], None] = self.stop

    def stop(self) -> None:
        self.events.append(f"stop (draining={lifecycle.draining()})")


@pytest.fixture
def arbiter(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArbiter]:
    fake = FakeArbiter()
    monkeypatch.setattr(time, "sleep", lambda seconds: fake.events.append(f"drain {seconds} s"))
    yield fake
    lifecycle._draining[0] = 0  # the flag is process-wide: leave it as other tests expect


def test_sigterm_drains_before_the_graceful_stop(arbiter: FakeArbiter) -> None:
    assert not lifecycle.draining()
    lifecycle.drain_before_stop(arbiter, 5)

    arbiter.handle_term()

    assert arbiter.events == ["drain 5 s", "stop (draining=True)"]
