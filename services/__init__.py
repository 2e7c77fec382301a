"""Glue between the data layer and the scoring engine, shared by pages and command-line jobs.

``scoring`` stays pure (no SQL) and ``data_access`` stays free of scoring rules; modules here read through
``data_access`` (always as a viewer, so scope applies) and compute with ``scoring``.
"""
