"""The change feed kiosks pull: an ordered log of upserts and tombstones with a resumable cursor."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.pin import PIN_WITHHELD
from sync import wire
from sync.central.database import tuples
from sync.central.schema import Seq, changes, counters, kiosks

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True, slots=True)
class Puller:
    """The kiosk a page goes to, as far as it decides what the page may carry: a reader's PIN
    hash goes only to the kiosks the policy's ``pin_hash_scope`` names; others get
    ``PIN_WITHHELD`` (the reader has a PIN, checked with the central while online)."""

    branch: str
    pin_hash_scope: str = "city"

    def withholds_pin_of(self, patron: dict[str, Any]) -> bool:
        if self.pin_hash_scope == "city" or not patron.get("pin_hash"):
            return False
        if self.pin_hash_scope == "branch":
            home = patron.get("home_branch") or ""
            return not home or home != self.branch
        return True  # "none", or a scope this version does not know: withhold


@dataclass(frozen=True, slots=True)
class Delta:
    entity: str
    key: str
    op: str  # upsert | delete
    payload: dict[str, Any] | None = None


def append(conn: Connection, deltas: Sequence[Delta], now: datetime) -> int:
    """Log ``deltas`` with the next seqs; return the last seq used (0 when nothing to log).

    Taking the seqs by updating one counter row locks that row until this transaction ends,
    so a reader never sees seq N+1 committed while N is still pending and skips N for good.
    """
    if not deltas:
        return 0
    conn.execute(
        counters.update()
        .where(counters.c.name == "changes")
        .values(value=counters.c.value + len(deltas))
    )
    last: int = conn.execute(
        sa.select(counters.c.value).where(counters.c.name == "changes")
    ).scalar_one()
    first = last - len(deltas) + 1
    conn.execute(
        changes.insert(),
        [
            {
                "seq": first + i,
                "entity": d.entity,
                "key": d.key,
                "op": d.op,
                "payload": d.payload,
                "at": now,
            }
            for i, d in enumerate(deltas)
        ],
    )
    return last


def latest_cursor(conn: Connection) -> int:
    cursor: int = conn.execute(
        sa.select(counters.c.value).where(counters.c.name == "changes")
    ).scalar_one()
    return cursor


def page(
    conn: Connection, cursor: int, limit: int, puller: Puller | None = None
) -> wire.ChangesPage:
    return wire.from_json(wire.ChangesPage, page_json(conn, cursor, limit, puller))


def _page_rows(
    conn: Connection, cursor: int, limit: int, payload: sa.ColumnElement[Any]
) -> tuple[Sequence[tuple[Any, ...]], bool]:
    """Up to ``limit`` changes after ``cursor`` as (seq, entity, key, op, payload), and
    whether more follow."""
    rows = list(
        tuples(
            conn,
            sa.select(changes.c.seq, changes.c.entity, changes.c.key, changes.c.op, payload)
            .where(changes.c.seq > cursor)
            .order_by(changes.c.seq)
            .limit(limit + 1),
        )
    )
    return rows[:limit], len(rows) > limit


def page_json(
    conn: Connection, cursor: int, limit: int, puller: Puller | None = None
) -> dict[str, Any]:
    """The page as JSON-ready data: stored payloads pass straight through.

    A payload is stored as the record's own JSON (``wire.to_json``/``asdict``), which is what
    decoding and re-encoding it would produce; only one whose fields differ from the record's
    today (written by an older version) goes through the decoder, so it gets the defaults.
    """
    rows, has_more = _page_rows(conn, cursor, limit, changes.c.payload)
    out = []
    for seq, entity, key, op, payload in rows:
        change: dict[str, Any] = {"seq": seq, "entity": entity, "op": op, "key": key}
        change.update(_NO_RECORD)
        if payload is not None:
            record = _payload(entity, payload)
            if entity == "patron" and puller is not None and puller.withholds_pin_of(record):
                record = {**record, "pin_hash": PIN_WITHHELD}
            change[entity] = record
        out.append(change)
    return {
        "changes": out,
        "next_cursor": rows[-1][0] if rows else cursor,
        "has_more": has_more,
    }


def page_body(conn: Connection, cursor: int, limit: int, puller: Puller | None = None) -> bytes:
    """The page as the JSON body of the reply, with the stored payloads' text spliced in.

    Same document as ``page_json`` gives, without parsing and re-serialising every record:
    a flat record (item, patron, hold) whose stored text has each of today's fields goes in
    as stored; anything else (a policy, a payload from an older version, a patron whose PIN
    hash this kiosk must not get) is decoded first.
    """
    scoped = puller is not None and puller.pin_hash_scope != "city"
    rows, has_more = _page_rows(conn, cursor, limit, sa.cast(changes.c.payload, sa.Text))
    dumps, string, flat_text, slots = _dumps, _json_string, _FLAT_TEXT, _RECORD_SLOTS
    parts = []
    for seq, entity, key, op, text in rows:
        if text is None or text == "null":
            record = "null"
        elif scoped and entity == "patron" and not _no_pin_hash(text):
            patron = _payload(entity, json.loads(text))
            assert puller is not None
            if puller.withholds_pin_of(patron):
                patron = {**patron, "pin_hash": PIN_WITHHELD}
            record = dumps(patron)
        else:
            shape = flat_text.get(entity)
            if shape is not None and (shape(text) is not None or _has_marks(entity, text)):
                record = text
            else:
                record = dumps(_payload(entity, json.loads(text)))
        slot = slots.get(entity)
        if slot is None:  # no member for it: its record is not sent, as in ``page_json``
            slot, record = (_NO_RECORD_MEMBERS, ""), ""
        before, after = slot
        parts.append(
            f'{{"seq":{int(seq)},"entity":{string(entity)},"op":{string(op)},'
            f'"key":{string(key)}{before}{record}{after}'
        )
    next_cursor = int(rows[-1][0]) if rows else cursor
    body = (
        f'{{"changes":[{",".join(parts)}],"next_cursor":{next_cursor},'
        f'"has_more":{"true" if has_more else "false"}}}'
    )
    return body.encode()


#: ``json.dumps`` with these options builds a new encoder per call; this one is reused.
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
#: What ``_dumps`` does with a string, without its type checks (a call per key of a page).
_json_string = encode_basestring


def note_kiosk_cursor(conn: Connection, kiosk_id: str, cursor: int) -> None:
    """A kiosk asking from ``cursor`` has applied everything up to it: remember what it knew.

    Clamped to the log's end, so a bogus cursor cannot hide later blocks from conflict checks.
    """
    latest = sa.select(counters.c.value).where(counters.c.name == "changes").scalar_subquery()
    clamped = sa.case((latest < cursor, latest), else_=sa.literal(cursor, Seq))
    conn.execute(  # one statement: the clamp is a subquery
        kiosks.update()
        .where(kiosks.c.kiosk_id == kiosk_id, kiosks.c.known_cursor < clamped)
        .values(known_cursor=clamped)
    )


_RECORD_TYPES: dict[str, type[DataclassInstance]] = {
    "policy": wire.PolicyRecord,
    "item": wire.ItemRecord,
    "patron": wire.PatronRecord,
    "hold": wire.HoldRecord,
    "lockout": wire.PinLockoutRecord,
    "rotation": wire.RotationRecord,
}
_RECORD_FIELDS = {
    entity: frozenset(record.__dataclass_fields__) for entity, record in _RECORD_TYPES.items()
}
_NO_RECORD: dict[str, None] = dict.fromkeys(_RECORD_TYPES)


def _record_slot(entity: str) -> tuple[str, str]:
    """The record members of a change of ``entity``, all null but its own: the text before
    and after where its record goes, up to the change's closing brace (``page_body``)."""
    members = [f',"{name}":null' for name in _RECORD_TYPES]
    at = list(_RECORD_TYPES).index(entity)
    return "".join(members[:at]) + f',"{entity}":', "".join(members[at + 1 :]) + "}"


_RECORD_SLOTS = {entity: _record_slot(entity) for entity in _RECORD_TYPES}
_NO_RECORD_MEMBERS = "".join(f',"{name}":null' for name in _RECORD_TYPES) + "}"
#: How each field of a flat record shows in its stored text (``json.dumps`` separators).
#: With no escaped quote in the text, every ``": `` ends a key, so all marks present and no
#: other ``": `` means exactly these keys; text with escaped quotes is decoded instead.
_FLAT_MARKS = {
    entity: tuple(f'"{name}": ' for name in sorted(_RECORD_FIELDS[entity]))
    for entity in ("item", "patron", "hold", "rotation")
}
#: A flat record's text as today's version stores it: each field in the record's order, each
#: value a string with no quote or backslash in it, a number or literal, or a list of such
#: strings. One match is cheaper than looking for each mark; text that does not match (an
#: escaped quote, another order) still gets the marks check.
_VALUE = r'(?:"[^"\\]*"|[-+.\w]+|\[(?:"[^"\\]*"(?:, "[^"\\]*")*)?\])'
_FLAT_TEXT = {
    entity: re.compile(
        r"\{"
        + ", ".join(f'"{f.name}": {_VALUE}' for f in dataclasses.fields(_RECORD_TYPES[entity]))
        + r"\}"
    ).fullmatch
    for entity in _FLAT_MARKS
}


def _no_pin_hash(text: str) -> bool:
    """Whether a patron's stored text surely has no PIN hash (no escaped quote that could
    make ``"pin_hash": null`` part of another value): such a record needs no decoding."""
    return '\\"' not in text and '"pin_hash": null' in text


def _has_marks(entity: str, text: str) -> bool:
    """Whether the stored ``text`` of a flat record has exactly today's fields, in any order."""
    marks = _FLAT_MARKS[entity]
    return (
        '\\"' not in text and text.count('": ') == len(marks) and all(map(text.__contains__, marks))
    )


def _payload(entity: str, payload: dict[str, Any]) -> dict[str, Any]:
    if payload.keys() == _RECORD_FIELDS[entity]:
        return payload
    record: dict[str, Any] = wire.to_json(wire.from_json(_RECORD_TYPES[entity], payload))
    return record
