"""The reader-facing screens, one module each."""
