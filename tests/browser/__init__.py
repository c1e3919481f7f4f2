"""Browser tests: Playwright drives Debian's Chromium against the live Django server."""
