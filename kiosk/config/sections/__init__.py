"""The kiosk's settings by section, in the order the sample file lists them (see settings.py)."""
