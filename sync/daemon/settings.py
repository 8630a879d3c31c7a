"""The daemon's tunables, read once from the kiosk config (``upstream.*`` and ``sync.*``)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config import Config


@dataclass(frozen=True, slots=True)
class SyncSettings:
    url: str = "http://127.0.0.1:8470"
    token: str = ""
    #: Per-request timeout; a push of a full batch takes longer than one online decision.
    timeout_s: float = 10.0
    heartbeat_s: float = 30.0
    batch_size: int = 100
    max_backoff_s: float = 300.0
    #: First retry delay after a failure; doubles up to ``max_backoff_s``.
    min_backoff_s: float = 1.0
    #: How often the loop looks for rows the UI process just wrote: the 2 s delivery budget.
    poll_s: float = 0.2
    #: Changes asked for per pull request (the central caps it at its own max_page).
    page_size: int = 2000

    @property
    def central_configured(self) -> bool:
        """A SIP2 site may run without a central: heartbeats and pulls need URL and token."""
        return bool(self.url and self.token)

    @classmethod
    def from_config(cls, config: Config) -> SyncSettings:
        return cls(
            url=config["upstream.url"],
            token=config["upstream.token"],
            timeout_s=max(10.0, float(config["upstream.timeout_s"])),
            heartbeat_s=float(config["sync.heartbeat_s"]),
            batch_size=int(config["sync.batch_size"]),
            max_backoff_s=float(config["sync.max_backoff_s"]),
        )
