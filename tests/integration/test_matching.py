"""``among`` on both databases: every way its values are passed matches exactly those rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db.matching import IN_LIST_SIZE, among
from server.db.models import Client
from server.services import projects

#: Values that cannot travel joined into one text (separator inside, a lone empty value).
AWKWARD = ["a,b", "", "x y", "é,\\"]


async def _clients(session_factory, uuids: list[str]) -> dict[str, int]:
    async with session_factory() as s, s.begin():
        project = await projects.create_project(s, slug="p")
        clients = [Client(client_uuid=u, project_id=project.id) for u in uuids]
        s.add_all(clients)
        await s.flush()
        return {c.client_uuid: c.id for c in clients}


async def _matching(session_factory, column, values) -> set:
    found = set()
    async with session_factory() as s:
        for clause in among(s, column, values):
            found |= set((await s.scalars(select(column).where(clause))).all())
    return found


async def test_many_ids_and_uuids_match_exactly_the_rows_named(session_factory) -> None:
    uuids = [f"agent-{n:05d}" for n in range(IN_LIST_SIZE * 2 + 7)]
    ids = await _clients(session_factory, uuids)
    wanted = uuids[::2]
    assert await _matching(session_factory, Client.client_uuid, wanted) == set(wanted)
    assert await _matching(session_factory, Client.id, [ids[u] for u in wanted]) == {ids[u] for u in wanted}
    assert await _matching(session_factory, Client.id, [-1, 0]) == set()
    assert await _matching(session_factory, Client.id, []) == set()


@pytest.mark.parametrize("values", [["a,b"], [""], ["", "x y"], AWKWARD, ["a", "b,"]], ids=repr)
async def test_values_with_the_separator_or_empty_match_themselves(session_factory, values) -> None:
    await _clients(session_factory, [*AWKWARD, "a", "b", "b,", "x", "y"])
    assert await _matching(session_factory, Client.client_uuid, values) == set(values)
