"""A test client that honours the API's "database busy" answer, as a real client would.

On SQLite the test database lives in memory and a live server's request threads share its one
connection, so two requests writing at once (a writer thread's commit, or two first reads each
creating a version token) can collide; the API then answers 503 with Retry-After. A client that
retries sees the answer it would have had; PostgreSQL gives each thread its own connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

ATTEMPTS = 50
PAUSE = 0.05


def retrying_busy(get: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``get(*args, **kwargs)``'s response, asked again (at most :data:`ATTEMPTS` times) while it is a 503."""
    response = get(*args, **kwargs)
    for _ in range(ATTEMPTS):
        if response.status_code != 503:
            break
        time.sleep(PAUSE)
        response = get(*args, **kwargs)
    return response
