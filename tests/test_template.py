import datetime as dt

from schedcu.models import TemplateLayout
from schedcu.template import FlatShift, SheetRule, Template


def test_template_json_round_trip() -> None:
    template = Template(
        layout=TemplateLayout.MATRIX,
        sheets=(
            SheetRule(
                name="Mid Weekend Neuro 5 pm - 12 am",
                category="Mid",
                day_type="Weekend",
                scenario="Neuro",
                start=dt.time(17),
                end=dt.time(0),
                positions=("MidC", "MidL", "Mid 3"),
                study_types=("CPMC CT Neuro", "CHONY Neuro "),
                marks={"MidC": ("CPMC CT Neuro",), "MidL": (), "Mid 3": ("CHONY Neuro ",)},
                order=5,
            ),
        ),
        shifts=(
            FlatShift(
                date=dt.date(2026, 3, 1),
                shift_type="ON1",
                required_staffing=1,
                specialty_constraint="NEURO_ONLY",
                study_type="CT Neuro",
                start=dt.time(20),
                end=None,
                location="'Shifts'!A2",
            ),
        ),
        study_types=("CPMC CT Neuro", "CHONY Neuro "),
    )
    assert Template.from_dict(template.to_dict()) == template
