"""Demo data and the scripted walkthrough behind ``shufang demo``."""
