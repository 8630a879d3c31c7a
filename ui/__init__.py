"""The PySide6 touch UI: screens, view models, translations. Reaches devices only via kiosk ports."""
