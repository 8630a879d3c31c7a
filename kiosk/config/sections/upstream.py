"""Who the kiosk talks to: the upstream, a SIP2 library system, and the sync daemon."""

from __future__ import annotations

from kiosk.config.types import Bool, Float, Int, Setting, Str

UPSTREAM: tuple[Setting, ...] = (
    # upstream
    Setting(
        "upstream.kind",
        Str(choices=("central", "sip2", "none")),
        "central",
        "Who decides online: the Shufang central service, a SIP2 library system, or nobody.",
    ),
    Setting(
        "upstream.url",
        Str(),
        "http://127.0.0.1:8470",
        "Central service base URL (upstream.kind = central, and for heartbeats).",
    ),
    Setting(
        "upstream.token",
        Str(),
        "",
        "Enrolment token issued by `shufang central enrol`; keep this file private.",
    ),
    Setting(
        "upstream.timeout_s",
        Float(minimum=0.1, maximum=30),
        2.0,
        "Latency budget for an online decision before the kiosk decides offline.",
    ),
    # SIP2 library system (upstream.kind = sip2)
    Setting(
        "sip2.host",
        Str(),
        "127.0.0.1",
        "Host name or address of the library system's SIP2 service.",
    ),
    Setting("sip2.port", Int(minimum=1, maximum=65535), 6001, "TCP port of the SIP2 service."),
    Setting(
        "sip2.tls", Bool(), False, "Wrap the SIP2 connection in TLS (where the site offers it)."
    ),
    Setting(
        "sip2.tls_ca_file",
        Str(),
        "",
        "PEM file of the CA that signed the SIP2 server's certificate ('' = system CAs).",
    ),
    Setting("sip2.login_user", Str(), "", "SIP2 login (93) user id; '' = send no login."),
    Setting("sip2.login_password", Str(), "", "SIP2 login password; keep this file private."),
    Setting(
        "sip2.location_code", Str(), "", "Location code sent at login and on checkins (CP/AP)."
    ),
    Setting("sip2.institution_id", Str(), "", "Institution id (AO) the library system expects."),
    Setting("sip2.terminal_password", Str(), "", "Terminal password (AC), if the site uses one."),
    Setting(
        "sip2.charset",
        Str(choices=("utf-8", "cp850", "gb18030")),
        "utf-8",
        "Character set of SIP2 messages; the checksum is computed over the encoded bytes.",
    ),
    Setting(
        "sip2.checksums",
        Bool(),
        True,
        "Send sequence numbers and checksums (AY/AZ error detection).",
    ),
    Setting(
        "sip2.bad_checksums",
        Str(choices=("verify", "accept")),
        "verify",
        "A reply whose checksum is wrong: verify (ask again, then fail) or accept it (for "
        "library systems known to compute it wrongly; logged once, counted as a fault).",
    ),
    Setting(
        "sip2.connect_timeout_s",
        Float(minimum=0.1, maximum=60),
        5.0,
        "Seconds to wait for the TCP/TLS connection to the library system.",
    ),
    Setting(
        "sip2.timeout_s",
        Float(minimum=0.1, maximum=120),
        10.0,
        "Seconds to wait for one reply (live decisions are also bounded by upstream.timeout_s).",
    ),
    Setting(
        "sip2.retries",
        Int(minimum=0, maximum=10),
        2,
        "Times a request is sent again on a new connection after a timeout or a drop "
        "(a checkout, return or renewal that left is never sent twice: 17 is asked).",
    ),
    Setting(
        "sip2.sessions",
        Int(minimum=1, maximum=8),
        1,
        "Parallel SIP2 sessions, so a stack of items is decided at once (if the ACS allows).",
    ),
    Setting(
        "sip2.dialect",
        Str(choices=("standard", "koha", "evergreen", "folio", "sierra", "polaris", "interlib")),
        "standard",
        "Profile of the library system's SIP2 habits (hold counts, blocks, dates).",
    ),
    Setting(
        "sip2.local_dates",
        Bool(),
        True,
        "Send dates in local time (blank zone) rather than UTC ('   Z').",
    ),
    Setting(
        "sip2.offline_policy",
        Str(choices=("acs", "allow", "deny")),
        "acs",
        "Lend offline while the library system is down: as its last 98 said, always, or never.",
    ),
    # sync daemon
    Setting(
        "sync.heartbeat_s",
        Int(minimum=1, maximum=3600),
        30,
        "Seconds between heartbeats to the central service.",
    ),
    Setting("sync.batch_size", Int(minimum=1, maximum=1000), 100, "Journal rows sent per push."),
    Setting(
        "sync.max_backoff_s",
        Int(minimum=1, maximum=3600),
        300,
        "Longest wait between retries while the upstream is unreachable.",
    ),
)
