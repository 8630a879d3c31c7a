"""Jinja2 templates of the staff pages (a package, so setuptools ships the files with it)."""
