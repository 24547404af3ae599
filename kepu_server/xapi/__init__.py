"""xAPI 1.0.3 statements for the district's Learning Record Store (see docs/xapi.md)."""
