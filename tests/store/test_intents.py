"""Activity intents, the same on SQLite and PostgreSQL: announce, claim, confirm, drop, purge."""

from __future__ import annotations

from datetime import timedelta

from tidbok.events import ActivityKind
from tidbok.gateway.intent_store import IntentState
from tidbok.gateway.store import GatewayStore

from .helpers import NOW, intent, message


async def test_an_open_intent_is_read_back_as_stored(store: GatewayStore) -> None:
    stored = intent(1, booking_id="b-1", slot_id="s-1", start=NOW + timedelta(days=2))
    await store.add_intent(stored, "run-1")
    [found] = await store.open_intents(10)
    assert found.intent == stored
    assert (found.run, found.state, found.booking_id) == ("run-1", IntentState.OPEN, "b-1")
    assert await store.count_open_intents() == 1


async def test_open_intents_are_oldest_first_and_limited(store: GatewayStore) -> None:
    for number in (3, 1, 2):
        await store.add_intent(intent(number), "run")
    assert [s.intent.id for s in await store.open_intents(2)] == ["i-1", "i-2"]
    assert [s.intent.id for s in await store.open_intents(10)] == ["i-1", "i-2", "i-3"]


async def test_drop_forgets_only_open_intents(store: GatewayStore) -> None:
    await store.add_intent(intent(1), "run")
    await store.add_intent(intent(2), "run")
    await store.add_activity_message(message(2), "i-2", "b-2")
    await store.drop_intent("i-1")
    await store.drop_intent("i-2")  # confirmed: stays
    assert await store.count_open_intents() == 0
    assert await store.claimed(["booked"], "b-2", but="x")


async def test_claimed_names_confirmed_intents_of_the_kinds(store: GatewayStore) -> None:
    await store.add_intent(intent(1), "run")
    await store.add_intent(intent(2, ActivityKind.INVITATION_BOOKED), "run")
    await store.add_intent(intent(3), "run")
    await store.add_activity_message(message(1), "i-1", "b-1")
    await store.add_activity_message(message(2), "i-2", "b-2")
    assert await store.claimed(["booked", "invitation_booked"], "b-1", but="i-9")
    assert not await store.claimed(["booked"], "b-1", but="i-1")  # itself excepted
    assert not await store.claimed(["booked"], "b-2", but="i-9")  # another kind
    assert await store.claimed(["invitation_booked"], "b-2", but="i-9")
    assert not await store.claimed(["booked"], "b-3", but="i-9")  # i-3 is open


async def test_confirmed_on_lists_writes_that_changed_the_booking(store: GatewayStore) -> None:
    rebook = intent(1, ActivityKind.REBOOKED, booking_id="b-1", previous_start=NOW)
    cancel = intent(2, ActivityKind.CANCELLED, booking_id="b-1")
    later = intent(3, ActivityKind.CANCELLED, booking_id="b-1")
    for item in (rebook, cancel, later):
        await store.add_intent(item, "run")
    await store.add_activity_message(message(1), "i-1", "b-9")  # moved: the target stays b-1
    await store.add_activity_message(message(2), "i-2", None)
    assert await store.confirmed_on("b-1", but="i-2") == [rebook]
    assert await store.confirmed_on("b-1", but="x") == [rebook, cancel]
    assert await store.confirmed_on("b-9", but="x") == []


async def test_purge_forgets_confirmed_intents_before(store: GatewayStore) -> None:
    for number in (1, 2, 3):
        await store.add_intent(intent(number), "run")
    await store.add_activity_message(message(1), "i-1", "b-1")
    await store.add_activity_message(message(3), "i-3", "b-3")
    assert await store.purge_intents(NOW + timedelta(seconds=2)) == 1  # i-1 only; i-2 is open
    assert await store.claimed(["booked"], "b-3", but="x")
    assert not await store.claimed(["booked"], "b-1", but="x")
    assert await store.count_open_intents() == 1


async def test_a_store_gets_its_own_intent_claims_again(store: GatewayStore) -> None:
    await store.add_intent(intent(1), "run")
    assert len(await store.open_intents(10)) == 1
    assert len(await store.open_intents(10)) == 1  # the reconciler's next pass sees it


async def test_reconcile_lock_is_held_by_one_store(store: GatewayStore) -> None:
    async with store.reconcile_lock() as held:
        assert held
    async with store.reconcile_lock() as again:
        assert again
