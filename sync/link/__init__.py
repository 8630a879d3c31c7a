"""The kiosk's link to the central service: its HTTP client and the PIN check that uses it.

Kiosk-side code (the sync daemon, the UI process's core) talks to the central through this
package and the wire format (``sync.wire``) alone, so a kiosk never imports the server package
(``sync.central``) nor needs the web stack it is built on.
"""
