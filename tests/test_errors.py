import sqlalchemy.exc

from schedcu.errors import (
    AmionBadCode,
    AmionLoginFailed,
    AmionTransient,
    AmionUnexpectedResponse,
    MalformedOds,
    is_transient,
)


def test_transient_errors() -> None:
    assert is_transient(AmionTransient("Amion did not answer in time"))
    assert is_transient(TimeoutError())
    assert is_transient(ConnectionResetError())
    lost = sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, Exception("server closed"), connection_invalidated=True
    )
    assert is_transient(lost)


def test_permanent_errors() -> None:
    for error in (
        AmionLoginFailed("refused"),
        AmionBadCode("bad code"),
        AmionUnexpectedResponse("html"),
        MalformedOds("broken"),
        ValueError("bug"),
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")),
        sqlalchemy.exc.OperationalError("SELECT", {}, Exception("no such table: hospital")),
    ):
        assert not is_transient(error), error
