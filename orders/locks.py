"""Every row lock of the platform, one helper per kind of row (Saleor's lock_objects).

The lock order, the same for every writer, so that two of them never wait for each other
in a circle:

1. the cycle: shared by an order being placed or changed (orders wait for a close in
   flight, a close waits for the orders in flight, orders do not wait for each other);
   exclusive for the cycle's own steps (close, confirm, settle, …) and for offers;
2. the purchase list or the offer being changed;
3. the household (its monthly cap);
4. the order;
5. the funder's envelopes, in id order (the database refuses committed + spent > amount);
   an order's subsidy locks its envelope by the conditional UPDATE that commits it
   (accounting.services.envelope_commit);
6. a party's ledger account, while a payment checks what is outstanding;
7. the invoice counters, in series order, while numbers are taken (last: a settlement
   holds them for its final writes only, so that concurrent settlements queue briefly).

Each helper must run inside a transaction; on SQLite, which has no row locks, a writing
transaction holds the whole database instead.
"""

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from accounting.models import Account, Envelope, Funder, InvoiceCounter, JournalEntry
from core.db import select_for_share
from producers.models import Offer
from supply.models import OrderCycle, PurchaseList

from .models import Household, HouseholdReferenceCounter, Order, SocialService


def cycle_lock(cycle_id: int) -> OrderCycle:
    """The cycle, exclusive: its state is about to change. Raises DoesNotExist."""
    return OrderCycle.objects.select_for_update().get(pk=cycle_id)


def cycles_lock(cycle_ids: list[int]) -> dict[int, str]:
    """Several cycles, exclusive, in id order: their status by id."""
    return dict(
        OrderCycle.objects.select_for_update()
        .filter(id__in=cycle_ids)
        .order_by("id")
        .values_list("id", "status")
    )


def cycle_lock_shared(cycle_id: int) -> OrderCycle | None:
    """The cycle, shared: its state cannot change until the transaction ends. None if it
    does not exist."""
    return select_for_share(OrderCycle, cycle_id)


def purchase_list_lock(purchase_list_id: int) -> PurchaseList:
    return PurchaseList.objects.select_for_update().select_related("cycle").get(pk=purchase_list_id)


def offer_lock(offer_id: int) -> Offer:
    return Offer.objects.select_for_update().select_related("cycle").get(pk=offer_id)


def household_lock(household_id: int) -> Household:
    """The household, with its tier, funder and CCAS read but not locked (every household
    shares them)."""
    return _households_locked(Household.objects.all()).get(pk=household_id)


def household_lock_for_order(
    household_id: int, *, within: QuerySet[Household] | None, on: date
) -> tuple[Household, int | None]:
    """The household as household_lock reads it, looked for among `within` (a caller's
    scope; Household.DoesNotExist outside it), and the id of its funder's envelope covering
    `on` (None if there is none), in the same query: the order then locks that envelope
    by the UPDATE that commits its subsidy."""
    covering = Envelope.objects.filter(
        funder_id=OuterRef("funder_id"), period_start__lte=on, period_end__gte=on
    ).order_by("period_start")
    household = (
        _households_locked(Household.objects.all() if within is None else within)
        .annotate(covering_envelope_id=Subquery(covering.values("id")[:1]))
        .get(pk=household_id)
    )
    return household, household.covering_envelope_id


def _households_locked(households: QuerySet[Household]) -> QuerySet[Household]:
    return households.select_for_update(of=("self",)).select_related(
        "tier", "funder", "social_service__organisation"
    )


def reference_counter_lock(
    *, social_service: SocialService, year: int
) -> HouseholdReferenceCounter:
    counter, _created = HouseholdReferenceCounter.objects.select_for_update().get_or_create(
        social_service=social_service, year=year
    )
    return counter


def order_lock(order_id: int) -> Order:
    """The order alone: its cycle is already held shared, and locking it again for update here
    made two changes of the same cycle wait for each other's shared lock (a deadlock)."""
    return Order.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=order_id)


def envelopes_overlapping_lock(*, funder: Funder, start: date, end: date) -> QuerySet[Envelope]:
    """The funder's envelopes overlapping a period, locked while a new one is checked."""
    return Envelope.objects.select_for_update().filter(
        funder=funder, period_start__lte=end, period_end__gte=start
    )


def journal_entry_lock(entry_id: int) -> JournalEntry:
    return JournalEntry.objects.select_for_update().get(pk=entry_id)


def account_lock(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def invoice_counters_lock(series: list[str]) -> dict[str, InvoiceCounter]:
    """The counters of these series, created when missing, locked in series order."""
    for name in sorted(set(series)):
        InvoiceCounter.objects.get_or_create(series=name)
    return {
        counter.series: counter
        for counter in InvoiceCounter.objects.select_for_update()
        .filter(series__in=series)
        .order_by("series")
    }
