"""Barcode scanners: serial/CDC and USB HID keyboard-wedge drivers, and a simulator."""
