"""The alert message as the server renders it (Prefect's own template renderer, over events
shaped as flows/alerts.py emits them), and the README shows the very templates setup uses."""

from __future__ import annotations

from pathlib import Path

from prefect.server.utilities.user_templates import render_user_template_sync

from flows.alert_automations import BODY, SUBJECT

README = Path(__file__).resolve().parents[2] / "README.md"


def render(event: dict) -> tuple[str, str]:
    context = {"event": event}
    return render_user_template_sync(SUBJECT, context), render_user_template_sync(BODY, context)


def test_a_gap_opened_message_lists_each_sentence_and_the_run() -> None:
    subject, body = render(
        {
            "event": "schedcu.coverage.gap-opened",
            "resource": {"prefect.resource.id": "schedcu.hospital.cumc", "name": "cumc"},
            "payload": {
                "hospital": "cumc",
                "horizon_days": 14,
                "gaps": [{"sentence": "Allen MR Neuro, Sat 14 Mar 22:00–24:00, 2 h, nobody"}],
                "more_gaps": 2,
                "flow_run_name": "refresh cumc",
                "flow_run_id": "0b5e",
            },
        }
    )
    assert subject == "schedcu: coverage gaps opened at cumc"
    assert body == (
        "New gaps in reading coverage at cumc (next 14 days):\n"
        "- Allen MR Neuro, Sat 14 Mar 22:00–24:00, 2 h, nobody\n"
        "- and 2 more\n"
        "Flow run: refresh cumc (0b5e)"
    )


def test_a_failure_message_gives_the_coded_sentence() -> None:
    subject, body = render(
        {
            "event": "schedcu.import.failed",
            "resource": {"name": "cumc"},
            "payload": {
                "hospital": "cumc",
                "flow_name": "schedule-import",
                "code": "NOT_ODS",
                "message": "The template t.ods is not an .ods file.",
                "flow_run_name": "import cumc",
                "flow_run_id": "0b5e",
            },
        }
    )
    assert subject == "schedcu: a run for cumc failed"
    assert body == (
        "The schedule-import run for cumc failed: NOT_ODS: The template t.ods is not an .ods "
        "file.\nFlow run: import cumc (0b5e)"
    )


def test_the_readme_shows_the_templates_setup_uses() -> None:
    readme = README.read_text()
    assert SUBJECT in readme and BODY in readme
