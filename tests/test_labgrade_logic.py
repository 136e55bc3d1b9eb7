"""Quick tests of labgrade's pure logic: collect, ledger, checks, export (issue 21)."""
