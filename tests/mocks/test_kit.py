"""The public mock kit: a stable, documented surface (``tidbok_mocks.kit``)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiohttp import web

from tidbok_mocks import kit

KIT_DOC = Path(__file__).parents[2] / "docs" / "mocks" / "kit.md"


def test_the_kit_has_a_version_and_every_public_name_is_documented() -> None:
    assert kit.KIT_VERSION == "1.1"
    text = KIT_DOC.read_text(encoding="utf-8")
    undocumented = []
    for name in kit.__all__:
        value = getattr(kit, name)
        documented = (
            inspect.isclass(value) or inspect.isfunction(value) or inspect.ismodule(value)
        ) and bool(inspect.getdoc(value))
        if not documented and f"`{name}`" not in text:
            undocumented.append(name)
    assert undocumented == []
    assert sorted(kit.__all__) == sorted(set(kit.__all__))


def test_the_doc_states_every_fault_kind() -> None:
    text = KIT_DOC.read_text(encoding="utf-8")
    assert [kind.value for kind in kit.FaultKind if f"`{kind.value}`" not in text] == []


def test_the_bundled_mocks_use_the_kit_not_common_for_kit_features() -> None:
    root = Path(kit.__file__).parent
    allowed = ("from ..common.demo import", "from ..common.personnummer import")
    offenders = [
        f"{path.relative_to(root)}: {line}"
        for sub in ("pasis", "pmo", "riv")
        for path in (root / sub).glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("from ..common") and not line.startswith(allowed)
    ]
    assert offenders == []


async def test_create_app_enforces_its_api_key_loads_the_default_demo_and_answers_plain_json() -> (
    None
):
    routes = web.RouteTableDef()

    @routes.get("/api/slots")
    async def slots(request: web.Request) -> web.Response:
        state = kit.state_of(request)
        unit = next(iter(state.schedule.units))
        found = state.free_slots(
            unit, datetime(2000, 1, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        )
        return kit.json_list(state.slot_json(slot) for slot in found)

    auth = {"type": "api_key", "header": "X-Key", "api_key": "k"}
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday: the demo's slots are on Monday
    app = kit.create_app("my_mock", "/api", routes, now=now, demo_data=True, auth=auth)
    async with kit.serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        refused = await client.get("/api/slots", headers={"X-Key": "wrong"})
        assert (refused.status_code, refused.json()["error"]) == (401, "unauthorized")
        assert (await client.get("/api/slots")).status_code == 401
        assert (await client.get("/__admin/info")).status_code == 200  # the admin API stays open
        answer = await client.get("/api/slots", headers={"X-Key": "k"})
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(s["start"], s["type"], s["type_name"]) for s in items] == [
        (f"2026-11-30T{hour:02}:00:00Z", "T1", "Provtagning") for hour in (7, 8, 9, 10)
    ]
    assert items[0]["access"] == {"visible": True, "bookable": True, "changeable": True}
    assert (items[0]["performer"], items[0]["resource"]) == (None, None)
    assert next(iter(app[kit.STATE_KEY].schedule.units.values())).name == "Vårdcentralen My Mock"
