"""Receipt printers: receipts rendered to bitmaps, printed as ESC/POS rasters, and a simulator."""
