"""The central service: fleet health, authoritative loans, catalog, patrons, policy, conflicts.

Build the web app with :func:`sync.central.app.create_app`; the CLI lives in
``kiosk/cli/central.py``. Storage is SQLAlchemy Core over SQLite or PostgreSQL.
"""
