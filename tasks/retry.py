"""The retry condition every phase's task uses: transient errors only.

Validation errors, a refused Amion code or an unparseable export fail at once; a time-out, an
HTTP 5xx, a reset or a lost database connection is tried again (`schedcu.errors.is_transient`).
Each task writes out its own retries, backoff and jitter on its decorator.
"""

from __future__ import annotations

from typing import Any

from schedcu.errors import is_transient


def transient_only(_task: Any, _task_run: Any, state: Any) -> bool:
    """`retry_condition_fn`: retry when the failure's exception is transient."""
    error = state.data
    return isinstance(error, BaseException) and is_transient(error)
