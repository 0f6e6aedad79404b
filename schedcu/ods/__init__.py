"""Phase 1's reader: the coverage template (.ods) into a Template, safely.

parse_template(path_or_stream)  -> (Template, ValidationResult), or a SpreadsheetError
inspect_template(path)          -> what `schedcu ods inspect` prints
schedcu.ods.importer.import_schedule(...) -> a ScheduleVersion and its ShiftInstances
"""

from __future__ import annotations

from schedcu.ods.inspect import inspect_template
from schedcu.ods.parse import parse_template

__all__ = ["inspect_template", "parse_template"]
