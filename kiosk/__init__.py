"""Shufang kiosk core: circulation, policy, store and tag codecs, free of Qt and device I/O."""

__version__ = "0.1.0"
