"""Patron card readers: NFC cards through nfcpy, a simulator, and the ID-card reader port."""
