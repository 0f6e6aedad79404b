"""The run form a coordinator fills in the UI is drawn from each flow's parameter schema: every
parameter explains itself there, and an optional one is an input of its own type (not a choice
between the value and "None")."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from prefect import Flow

from flows.nightly_refresh import nightly_refresh
from flows.promote_version import promote_version
from flows.recalculate_coverage import recalculate_coverage
from flows.schedule_import import schedule_import

FLOWS = [schedule_import, nightly_refresh, recalculate_coverage, promote_version]


def _properties(flow: Flow[..., Any]) -> dict[str, dict[str, Any]]:
    return flow.parameters.model_dump()["properties"]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_every_parameter_has_a_description_and_an_example(flow: Flow[..., Any]) -> None:
    properties = _properties(flow)
    assert set(properties) == set(inspect.signature(flow.fn).parameters)
    for name, schema in properties.items():
        assert schema.get("description"), f"{flow.name}.{name} has no description"
        assert schema.get("examples"), f"{flow.name}.{name} has no example"


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
def test_an_optional_parameter_is_an_input_of_its_own_type(flow: Flow[..., Any]) -> None:
    for name, schema in _properties(flow).items():
        assert "anyOf" not in schema, f"{flow.name}.{name} offers a choice of types"
        assert schema["type"] in {"string", "integer"}


def test_the_form_says_what_an_empty_start_date_and_the_paths_mean() -> None:
    properties = _properties(schedule_import)
    assert "next month" in properties["start_date"]["description"]
    assert "worker" in properties["ods_path"]["description"]
    assert "SCHEDCU_TEMPLATE_SOURCES" in properties["roster_path"]["description"]
    assert (properties["months"]["minimum"], properties["months"]["maximum"]) == (1, 24)
    assert schedule_import.parameters.model_dump()["required"] == ["hospital", "ods_path"]


def test_the_promotion_form_asks_who_and_bounds_the_reason() -> None:
    schema = promote_version.parameters.model_dump()
    assert schema["required"] == ["version_id", "promoted_by"]
    assert schema["properties"]["promoted_by"]["maxLength"] == 200
    assert schema["properties"]["reason"]["maxLength"] == 1000
    assert "history" in schema["properties"]["reason"]["description"]
