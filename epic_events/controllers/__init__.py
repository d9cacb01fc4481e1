"""Use cases: each checks the permission table, then ownership, validates, and commits."""
