from schedcu.wording import plural


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [plural(n, "month") for n in (0, 1, 2)] == ["0 months", "1 month", "2 months"]
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"
