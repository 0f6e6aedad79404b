import pytest

from schedcu.names import name_key, person_key, position_key, slug


@pytest.mark.parametrize(
    ("a", "b"), [("CHONY Neuro ", "chony neuro"), ("Allen  MR\tNeuro", "ALLEN MR NEURO")]
)
def test_study_type_names_compare_normalised(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_positions_drop_inner_spaces() -> None:
    assert position_key("Mid 3") == position_key("MID3") == "mid3"
    assert position_key("Mid Body") == "midbody"


def test_people_read_last_comma_first() -> None:
    assert person_key("Smith,  Jane") == person_key(" jane SMITH") == "jane smith"
    assert person_key("Jane Smith") == "jane smith"


def test_slug_keeps_lowercase_letters_digits_and_dashes() -> None:
    assert slug("coverage-gaps", "CUMC Radiology") == "coverage-gaps-cumc-radiology"
    assert slug("schedcu-hospital", "St. Luke's #2") == "schedcu-hospital-st-luke-s-2"
