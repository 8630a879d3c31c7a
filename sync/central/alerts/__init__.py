"""Alerts to the technicians' group chat and mailbox when a kiosk needs someone.

``rules`` says which conditions hold now (read from the central's tables), ``engine`` keeps
each condition's episode (opened, reminded, resolved) and what was delivered to which
channel, ``channels`` speaks WeCom's and DingTalk's group-robot webhooks and SMTP, and
``messages`` writes the text, Chinese first. ``settings`` reads the ``[alerts]`` section of
the central's config.
"""
