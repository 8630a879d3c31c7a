"""Kiosk configuration: one TOML file, every setting declared once (see ``settings``)."""

from kiosk.config.loader import Config, ConfigError, ConfigIssue, check_file, load_config, load_text
from kiosk.config.settings import SETTINGS, Setting

__all__ = [
    "SETTINGS",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "Setting",
    "check_file",
    "load_config",
    "load_text",
]
