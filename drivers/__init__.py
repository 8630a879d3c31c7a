"""Device drivers behind the ports in kiosk.ports: RFID, scanners, card readers, printers."""
