"""`make demo`: the main job on a fresh machine, said in plain words as it goes."""

from __future__ import annotations

from schedcu.config import get_settings
from schedcu.db import masked_url


def main() -> int:
    settings = get_settings()
    print(f"schedcu demo: database ready at {masked_url(settings.resolved_database_url)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
