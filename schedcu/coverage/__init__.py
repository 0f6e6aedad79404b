"""Phase 3: hour-by-hour coverage of a schedule version (COVERAGE.md).

`calculate_coverage` is pure; `service.recalculate` loads a version, computes and stores it;
`reports` writes the .csv, .ods and heatmap files people open.
"""

from schedcu.coverage.calculate import calculate_coverage
from schedcu.coverage.result import CoverageRecord, CoverageResult

__all__ = ["CoverageRecord", "CoverageResult", "calculate_coverage"]
