"""Phase 2: Amion, the hosted on-call calendar (AMION.md).

export       parse_export: a month export's text -> rows + ValidationResult (pure)
client       download_exports / fetch_exports: log in with Playwright, download month exports
browser      open_browser: connect to SCHEDCU_CHROMIUM_CDP_URL, or find and launch Chromium
roster       load_roster / apply_roster: the hospital's people, specialties and aliases
matching     rows -> people and shift instances
store        store_assignments / scrape_version: assignments + ScrapeBatch, one transaction
simulator    AmionSimulator: a local Amion for the demo and the tests
masking      mask: the access code never leaves the client
"""
