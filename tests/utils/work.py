"""Work measured by counting, not by the clock: the same on an idle and on a loaded machine."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def python_lines() -> Iterator[list[int]]:
    """Counts the lines of Python this thread runs in the block (`sys.settrace` line events);
    yields a one-item list holding the count, final when the block ends. C code (lxml, zlib)
    runs without lines, so pair it with a memory bound where that matters."""
    count = [0]

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            count[0] += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield count
    finally:
        sys.settrace(previous)
