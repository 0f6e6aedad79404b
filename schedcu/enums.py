"""The enumerations of the domain, apart from the tables so that light commands
(`schedcu ods inspect`) can use them without loading SQLAlchemy."""

from __future__ import annotations

from enum import StrEnum


class Specialty(StrEnum):
    BODY_ONLY = "BODY_ONLY"
    NEURO_ONLY = "NEURO_ONLY"
    BOTH = "BOTH"


class VersionStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class TemplateLayout(StrEnum):
    MATRIX = "matrix"
    FLAT = "flat"


class AssignmentSource(StrEnum):
    AMION = "AMION"
    MANUAL = "MANUAL"


class ScrapeState(StrEnum):
    PENDING = "PENDING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class CoverageStatus(StrEnum):
    COVERED = "COVERED"
    UNSTAFFED = "UNSTAFFED"
    NO_RULE = "NO_RULE"
    FULL = "FULL"
    PARTIAL = "PARTIAL"
    UNCOVERED = "UNCOVERED"
