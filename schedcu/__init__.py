"""schedcu: which radiology study types have a radiologist reading them, hour by hour.

The domain package. It never imports Prefect, so every part can be used and tested alone;
`tasks/` and `flows/` wrap it for orchestration.
"""

__version__ = "0.1.0"
