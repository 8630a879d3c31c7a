"""The rotations table: items a rotation plan sends on to another room (issue 17)."""

from __future__ import annotations

from kiosk.models import Rotation
from kiosk.store.connection import Repository


class Rotations(Repository):
    """Replicated from the central: at most one plan per item, the latest wins."""

    def set(self, rotation: Rotation) -> None:
        """A replicated rotation record: the latest plan for the item wins."""
        self._c.write(
            "INSERT INTO rotations (item_pii, to_branch, to_name, plan_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (item_pii) DO UPDATE SET to_branch = excluded.to_branch,"
            " to_name = excluded.to_name, plan_id = excluded.plan_id",
            (rotation.item_pii, rotation.to_branch, rotation.to_name, rotation.plan_id),
        )

    def remove(self, pii: str) -> None:
        self._c.write("DELETE FROM rotations WHERE item_pii = ?", (pii,))

    def get(self, pii: str) -> Rotation | None:
        row = self._c.row(
            "SELECT item_pii, to_branch, to_name, plan_id FROM rotations WHERE item_pii = ?", (pii,)
        )
        return Rotation(row[0], row[1], row[2], int(row[3])) if row else None

    def returned_for_rooms(self) -> list[tuple[str, int]]:
        """Books returned here that a rotation plan sends on (in the transfer box until they
        arrive): (room, count), most first."""
        return [
            (row[0], int(row[1]))
            for row in self._c.rows(
                "SELECT CASE WHEN r.to_name != '' THEN r.to_name ELSE r.to_branch END AS room,"
                " count(*) FROM rotations r JOIN items i ON i.pii = r.item_pii"
                " WHERE i.status = 'in_transit' GROUP BY room ORDER BY 2 DESC, room"
            )
        ]
