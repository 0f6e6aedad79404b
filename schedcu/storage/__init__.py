"""Files on storage: templates and rosters read from a path or an fsspec URL (`fetch`), reports
put whole where SCHEDCU_REPORTS_URL says (`reports`), storage errors as coded sentences
(`faults`). No Prefect here."""
