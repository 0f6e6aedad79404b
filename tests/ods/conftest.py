"""Fixtures of the ODS tests: a factory for generated .ods files in the test's tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ods.builders import write_ods


@pytest.fixture
def make_ods(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def make(content: bytes, **options: Any) -> Path:
        return write_ods(tmp_path / f"generated-{next(counter)}.ods", content, **options)

    return make
