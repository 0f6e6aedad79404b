"""Prefect flows of schedcu: the import, the coverage recalculation and the nightly refresh."""
