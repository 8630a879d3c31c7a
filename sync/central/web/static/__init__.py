"""The stylesheet of the staff pages (a package, so setuptools ships the files with it)."""
