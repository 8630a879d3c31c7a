"""Tests of the RFID reader drivers, emulators, simulator and pad watcher."""
