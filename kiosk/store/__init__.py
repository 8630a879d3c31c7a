"""The kiosk's local store: the only code that writes SQL."""

from kiosk.store.database import open_database
from kiosk.store.migrations import MIGRATIONS, SCHEMA_VERSION
from kiosk.store.store import Store, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError", "open_database"]
