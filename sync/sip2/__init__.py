"""SIP2 connector: talk to a library system's self-check service (3M SIP2 2.00)."""
