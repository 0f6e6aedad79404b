"""Thin Prefect tasks over the schedcu domain, one module per phase, with their retry policies."""
