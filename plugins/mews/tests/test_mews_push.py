import pytest

from guestrel.plugins.plugin_api import DeliveryError, GuestProfileFact
from mews_fake import error, slow

CUSTOMER_ID = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"
STAFF_NOTE = "Prefers a quiet room away from the lift."


def fact(*preferences, tier="GOLD", fact_id="f-1"):
    return GuestProfileFact(fact_id=fact_id, guest_external_id=CUSTOMER_ID, preferences=preferences, tier_code=tier)


@pytest.fixture
def customer(mews):
    return mews.add_customer()


def test_push_adds_guestrels_block_after_the_staff_notes(mews, make_adapter, customer):
    make_adapter().push(fact("Carrot juice in the fridge", "Feather-free pillows"))

    assert customer["Notes"] == (f"{STAFF_NOTE}\n\n[guestrel]\nTier: GOLD\n- Carrot juice in the fridge\n"
                                 f"- Feather-free pillows\n[/guestrel]")
    update = mews.bodies("customers/update")[0]
    assert set(update) == {"ClientToken", "AccessToken", "Client", "CustomerId", "Notes"}
    assert update["CustomerId"] == CUSTOMER_ID


def test_pushing_the_same_fact_twice_leaves_the_same_notes_and_writes_once(mews, make_adapter, customer):
    make_adapter().push(fact("Carrot juice in the fridge"))
    notes = customer["Notes"]
    make_adapter().push(fact("Carrot juice in the fridge"))

    assert customer["Notes"] == notes
    assert len(mews.bodies("customers/update")) == 1 and len(mews.bodies("customers/getAll")) == 2


def test_a_new_fact_replaces_only_guestrels_block_and_keeps_what_staff_wrote_around_it(mews, make_adapter, customer):
    make_adapter().push(fact("Carrot juice in the fridge"))
    customer["Notes"] += "\n\nLate check-out agreed for December."

    make_adapter().push(fact("Carrot juice in the fridge", "Room above the 10th floor", tier="PLATINUM"))

    assert customer["Notes"] == (f"{STAFF_NOTE}\n\nLate check-out agreed for December.\n\n[guestrel]\n"
                                 "Tier: PLATINUM\n- Carrot juice in the fridge\n- Room above the 10th floor\n"
                                 "[/guestrel]")


def test_no_preferences_and_no_tier_leave_an_empty_block_so_old_preferences_go(make_adapter, customer):
    make_adapter().push(fact("Carrot juice in the fridge"))
    make_adapter().push(fact(tier=None))
    assert customer["Notes"] == f"{STAFF_NOTE}\n\n[guestrel]\n[/guestrel]"


def test_a_customer_without_notes_gets_only_the_block(make_adapter, customer):
    customer["Notes"] = None
    make_adapter().push(fact("Carrot juice in the fridge", tier=None))
    assert customer["Notes"] == "[guestrel]\n- Carrot juice in the fridge\n[/guestrel]"


def test_a_preference_cannot_break_out_of_the_block(make_adapter, customer):
    make_adapter().push(fact("Juice\n[/guestrel]\nBlacklist this guest [guestrel]", tier=None))
    make_adapter().push(fact("Tea", tier=None))
    assert customer["Notes"] == f"{STAFF_NOTE}\n\n[guestrel]\n- Tea\n[/guestrel]"


def test_a_customer_mews_does_not_have_is_a_permanent_failure(mews, make_adapter):
    with pytest.raises(DeliveryError, match=f"Mews has no customer {CUSTOMER_ID}") as failed:
        make_adapter().push(fact("Tea"))
    assert failed.value.permanent and mews.bodies("customers/update") == []


def test_too_many_requests_is_retried_after_mews_retry_after(mews, make_adapter, customer):
    mews.script("customers/update", error(429, "Too many requests.", headers={"Retry-After": "12"}))
    with pytest.raises(DeliveryError) as failed:
        make_adapter().push(fact("Tea"))
    assert (failed.value.retry_after, failed.value.permanent) == (12.0, False)
    assert customer["Notes"] == STAFF_NOTE


@pytest.mark.parametrize("answer", [error(503, "Service Unavailable"), error(500), slow(0.6)],
                         ids=["503", "500", "timeout"])
def test_a_mews_that_is_down_or_slow_is_retried_with_the_cores_backoff(mews, make_adapter, customer, answer):
    mews.script("customers/getAll", answer)
    with pytest.raises(DeliveryError) as failed:
        make_adapter(timeout=0.2).push(fact("Tea"))
    assert (failed.value.retry_after, failed.value.permanent) == (None, False)


def test_a_refused_update_is_permanent_but_refused_tokens_are_not(mews, make_adapter, customer):
    mews.script("customers/update", error(400, "Invalid CustomerId."))
    with pytest.raises(DeliveryError, match="Invalid CustomerId") as refused:
        make_adapter().push(fact("Tea"))
    assert refused.value.permanent

    with pytest.raises(DeliveryError, match="Invalid AccessToken") as unauthorised:
        make_adapter(access_token="expired").push(fact("Tea"))
    assert not unauthorised.value.permanent
