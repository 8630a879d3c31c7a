"""The PySide6 touch UI: screens, view models, translations; devices only via kiosk ports."""
