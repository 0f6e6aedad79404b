"""Phase 2: Amion, the hosted on-call calendar (AMION.md).

export       parse_export: a month export's text -> rows + ValidationResult (pure)
client       download_exports: log in with Playwright and download month exports
browser      find_chromium / launch_browser
roster       load_roster / apply_roster: the hospital's people, specialties and aliases
matching     rows -> people and shift instances
store        store_assignments / scrape_version: assignments + ScrapeBatch, one transaction
simulator    AmionSimulator: a local Amion for the demo and the tests
masking      mask: the access code never leaves the client
"""
