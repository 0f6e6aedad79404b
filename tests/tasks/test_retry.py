"""The phases' retry policy retries transient errors and nothing else, on a real Prefect API."""

from __future__ import annotations

import pytest
from prefect import Task, flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
from prefect.runtime import flow_run

from schedcu.errors import AmionLoginFailed, AmionTransient
from tasks.amion_scrape import amion_scrape
from tasks.coverage import coverage
from tasks.ods_import import ods_import
from tasks.retry import transient_only

pytestmark = pytest.mark.usefixtures("prefect_api")

attempts: dict[str, int] = {}


@task(retries=2, retry_condition_fn=transient_only)
def flaky(key: str, error: type[Exception], failures: int) -> str:
    attempts[key] = attempts.get(key, 0) + 1
    if attempts[key] <= failures:
        raise error("Amion said no")
    return "done"


@flow
def run_flaky(key: str, error_name: str, failures: int) -> str:
    error = {"transient": AmionTransient, "permanent": AmionLoginFailed}[error_name]
    flaky(key, error, failures)
    return str(flow_run.get_id())


def _task_run_count(flow_run_id: str) -> list[str]:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
        )
    return [run.state.name for run in runs if run.state]


def test_transient_error_is_retried_until_it_succeeds() -> None:
    flow_run_id = run_flaky("t", "transient", failures=2)
    assert attempts["t"] == 3
    assert _task_run_count(flow_run_id) == ["Completed"]


def test_permanent_error_is_not_retried() -> None:
    with pytest.raises(AmionLoginFailed):
        run_flaky("p", "permanent", failures=1)
    assert attempts["p"] == 1


@pytest.mark.parametrize("phase", [ods_import, amion_scrape, coverage], ids=lambda t: t.name)
def test_every_phase_retries_transient_errors_only_with_growing_delays_and_a_timeout(
    phase: Task,
) -> None:
    assert phase.retries == 3 and phase.retry_condition_fn is transient_only
    delays = phase.retry_delay_seconds
    assert isinstance(delays, list) and len(delays) == 3 and delays == sorted(set(delays))
    assert phase.retry_jitter_factor and phase.timeout_seconds
