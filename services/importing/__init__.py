"""Importing spreadsheets, in stages that each report every problem at once (Problem: sheet, row, column):

- read (reading.py, with safety.py and limits.py): bytes of an xlsx or csv → the raw table under its headers.
- validate (validation.py): raw cells → typed values, bad cells named.
- plan (data_access.imports): typed rows against the database and the uploader's scope → new/changed/unchanged.
- commit (data_access.imports): the plan written in one transaction as a batch that can be rolled back.

templates.py writes the xlsx templates people fill in.
"""
