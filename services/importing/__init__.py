"""Spreadsheet import in stages: read the file, validate its cells, plan against the database, commit."""
