"""The retry policy every phase shares: transient errors only, exponential backoff with jitter.

Validation errors, a refused Amion code or an unparseable export fail at once; a time-out, an
HTTP 5xx, a reset or a lost database connection is tried again (`schedcu.errors.is_transient`).
"""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

from schedcu.errors import is_transient

RETRIES = 3
BACKOFF_SECONDS = 2.0
JITTER_FACTOR = 0.5


def retry_transient_only(_task: Any, _task_run: Any, state: Any) -> bool:
    """`retry_condition_fn`: retry when the failure's exception is transient."""
    error = state.data
    return isinstance(error, BaseException) and is_transient(error)


def transient_retry_policy(
    *, retries: int = RETRIES, backoff_seconds: float = BACKOFF_SECONDS
) -> dict[str, Any]:
    """Keyword arguments for `@task(...)`: retries with backoff, transient errors only."""
    return {
        "retries": retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=backoff_seconds)(retries),
        "retry_jitter_factor": JITTER_FACTOR,
        "retry_condition_fn": retry_transient_only,
    }
