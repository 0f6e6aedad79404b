"""The Amion code: the Secret block first, then SCHEDCU_AMION_CODE, else a clear error."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from prefect.blocks.system import Secret

from schedcu.config import Settings
from schedcu.errors import AmionCodeMissing
from tasks.secrets import amion_access_code, secret_block_name

pytestmark = pytest.mark.usefixtures("prefect_api")
T = TypeVar("T")


def _off_main_thread(call: Callable[[], T]) -> T:
    """Prefect's sync/async dispatch must not see another package's Playwright loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(contextvars.copy_context().run, call).result()


def test_the_secret_block_wins_over_the_environment() -> None:
    hospital = f"secret-{uuid.uuid4().hex[:8]}"
    _off_main_thread(lambda: Secret(value="from-block").save(secret_block_name(hospital)))
    code = _off_main_thread(lambda: amion_access_code(hospital, Settings(amion_code="from-env")))
    assert code.get_secret_value() == "from-block"


def test_without_a_block_the_environment_gives_the_code() -> None:
    code = _off_main_thread(
        lambda: amion_access_code(f"secret-{uuid.uuid4().hex[:8]}", Settings(amion_code="env"))
    )
    assert code.get_secret_value() == "env"


def test_no_code_anywhere_is_a_clear_error_naming_the_block() -> None:
    hospital = f"Secret_{uuid.uuid4().hex[:8]}"
    with pytest.raises(AmionCodeMissing, match=f"amion-code-{hospital.lower().replace('_', '-')}"):
        _off_main_thread(lambda: amion_access_code(hospital, Settings()))
