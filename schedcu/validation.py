"""The ValidationResult every phase reports into (DOMAIN.md).

A plain value type: a list of messages, each with a severity, a stable code, a sentence for a
scheduling coordinator and where it came from. Results of several phases merge into one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"


@dataclass(frozen=True, slots=True)
class Message:
    """One finding. `location` is a cell reference, an Amion month and line, or None."""

    severity: Severity
    code: str
    message: str
    location: str | None = None
    phase: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"severity": self.severity.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            severity=Severity(data["severity"]),
            code=data["code"],
            message=data["message"],
            location=data.get("location"),
            phase=data.get("phase"),
        )


@dataclass(slots=True)
class ValidationResult:
    messages: list[Message] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        location: str | None = None,
        *,
        phase: str | None = None,
    ) -> Message:
        entry = Message(severity, code, message, location, phase)
        self.messages.append(entry)
        return entry

    def error(self, code: str, message: str, location: str | None = None) -> Message:
        return self.add(Severity.ERROR, code, message, location)

    def warning(self, code: str, message: str, location: str | None = None) -> Message:
        return self.add(Severity.WARNING, code, message, location)

    def info(self, code: str, message: str, location: str | None = None) -> Message:
        return self.add(Severity.INFO, code, message, location)

    def extend(self, messages: Iterable[Message]) -> None:
        self.messages.extend(messages)

    def merge(self, *others: ValidationResult) -> ValidationResult:
        """A new result holding this one's messages followed by each of `others`'."""
        merged = ValidationResult(list(self.messages))
        for other in others:
            merged.extend(other.messages)
        return merged

    def with_phase(self, phase: str) -> ValidationResult:
        """The same messages, each tagged with `phase` where it has none yet."""
        return ValidationResult(
            [
                m if m.phase else Message(m.severity, m.code, m.message, m.location, phase)
                for m in self.messages
            ]
        )

    @property
    def has_errors(self) -> bool:
        return any(m.severity is Severity.ERROR for m in self.messages)

    def codes(self) -> list[str]:
        return [m.code for m in self.messages]

    def by_severity(self, severity: Severity) -> list[Message]:
        return [m for m in self.messages if m.severity is severity]

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def to_list(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.messages]

    @classmethod
    def from_list(cls, data: Iterable[dict[str, Any]]) -> ValidationResult:
        return cls([Message.from_dict(item) for item in data])

    def to_json(self) -> str:
        return json.dumps(self.to_list())

    @classmethod
    def from_json(cls, text: str) -> ValidationResult:
        return cls.from_list(json.loads(text))
