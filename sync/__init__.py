"""Upstreams and the central service: how a kiosk talks to the world beyond its own PC."""
