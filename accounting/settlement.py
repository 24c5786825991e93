"""Settlement of a delivered cycle (DESIGN.md §5.1–5.4).

In one durable transaction: lines whose received quantity differs from what they were
priced on are repriced (per line, then summed: never an aggregated quantity re-priced),
one balanced entry is posted per producer, per order and for the rounds, envelope
commitments become spending, and the cycle becomes settled, hence read-only. Each entry's
source key is unique, so settling again, or after a worker died half-way (the transaction
rolled back), posts nothing twice.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.errors import StateConflict
from core.models import User
from core.money import quantize_money
from logistics.models import Round
from orders import funding, locks
from orders.choices import OrderStatus
from orders.models import Grocery, OrderLine
from orders.services import cycle_orders_advance
from producers.models import Offer, Producer
from ssa import books, spending
from ssa.models import Caisse
from supply.choices import FINISHED, SETTLEABLE, CycleStatus
from supply.consolidation import LineChange, received_apply, received_changes
from supply.contracts import contract_shortfalls_record
from supply.models import OrderCycle, PurchaseList
from supply.services import cycle_transition

from . import invoicing, ledger, notifications
from .choices import EntryKind
from .cost_shares import logistics_cost_shares
from .ledger import ZERO, EntryDraft
from .models import Envelope, Funder, JournalEntry, JournalLine
from .services import to_the_cent


@dataclass
class OrderFigures:
    order_id: int
    grocery_id: int | None  # a grouped order's grocery
    pickup_grocery_id: int | None  # a household order's pickup grocery
    household_id: int | None
    funder_id: int | None
    ttc: Decimal
    share: Decimal
    subsidy: Decimal
    caisse_id: int | None = None  # a caisse alimentaire pays it all, from the member's credit
    # A co-funded order's subsidy per funder (orders.funding); empty: funder_id pays it all.
    funders: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Figures:
    """What a cycle's settlement posts, before it is posted."""

    producers: dict[int, Decimal]  # producer id -> sum of its lines' line_ttc
    orders: list[OrderFigures]
    logistics: dict[int, Decimal]  # grocery id -> its share of the rounds' cost
    # What the rounds cost; recharged in full unless no grocery received anything.
    rounds_cost: Decimal
    # Each co-funder's part of each co-funded household order (orders.funding).
    cofunded: list[funding.FundedPart] = field(default_factory=list)


def cycle_check_settleable(*, cycle: OrderCycle) -> None:
    if cycle.status not in SETTLEABLE:
        raise StateConflict(
            _("A cycle is settled once delivered: record the deliveries first."),
            code="cycle_not_delivered",
        )


def _figures(cycle: OrderCycle, changes: list[LineChange]) -> Figures:
    """Per producer and per order, sums of the lines' amounts in the database, moved by the
    `changes` not yet written (so a preview and the settlement agree to the cent)."""
    lines = OrderLine.objects.live().filter(order__cycle=cycle)
    producers: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for producer_id, ttc in (
        lines.values("offer__product__producer_id")
        .annotate(ttc=Sum("line_ttc"))
        .values_list("offer__product__producer_id", "ttc")
        .order_by()
    ):
        producers[producer_id] += quantize_money(ttc)
    orders = {
        row["order_id"]: OrderFigures(
            order_id=row["order_id"],
            grocery_id=row["order__grocery_id"],
            pickup_grocery_id=row["order__household__pickup_grocery_id"],
            household_id=row["order__household_id"],
            funder_id=row["funder_id"],
            ttc=quantize_money(row["ttc"]),
            share=quantize_money(row["share"]),
            subsidy=quantize_money(row["subsidy"]),
            caisse_id=row["order__ssa_member__caisse_id"],
        )
        for row in lines.values(
            "order_id",
            "order__grocery_id",
            "order__household_id",
            "order__household__pickup_grocery_id",
            "order__ssa_member__caisse_id",
            funder_id=Coalesce("order__envelope__funder_id", "order__household__funder_id"),
        )
        .annotate(ttc=Sum("line_ttc"), share=Sum("beneficiary_share"), subsidy=Sum("subsidy"))
        .order_by("order_id")
    }
    producer_of = dict(
        Offer.objects.filter(id__in={change.row.offer_id for change in changes}).values_list(
            "id", "product__producer_id"
        )
    )
    for change in changes:
        _ht, ttc, share, subsidy = change.total_deltas()
        producers[producer_of[change.row.offer_id]] += ttc
        order = orders[change.row.order_id]
        order.ttc += ttc
        order.share += share
        order.subsidy += subsidy
    overrides = {change.row.id: change.amounts[4] for change in changes}
    cofunded = funding.cycle_cofunded(cycle.id, overrides)
    for part in cofunded:
        orders[part.order_id].funders[part.funder_id] = part.subsidy
    rounds_cost = Round.objects.filter(cycle=cycle).aggregate(total=Sum("cost_eur"))["total"]
    return Figures(
        producers=dict(producers),
        orders=list(orders.values()),
        logistics=logistics_cost_shares(cycle=cycle, rule=settings.LOGISTICS_COST_RULE),
        rounds_cost=quantize_money(rounds_cost or 0),
        cofunded=cofunded,
    )


def _drafts(cycle: OrderCycle, figures: Figures) -> list[EntryDraft]:
    # Each party's account is fetched (or opened) once, not once per order.
    producer_account = cache(ledger.producer_account)
    grocery_account = cache(ledger.grocery_account)
    contributions_account = cache(ledger.contributions_account)
    funder_account = cache(ledger.funder_account)
    credit_account = cache(books.credit_account)
    purchases = ledger.platform_account(ledger.PURCHASES)
    sales = ledger.platform_account(ledger.SALES)
    subsidies = ledger.platform_account(ledger.SUBSIDIES)
    producers = Producer.objects.in_bulk(list(figures.producers))
    grocery_ids = {order.grocery_id or order.pickup_grocery_id for order in figures.orders}
    groceries = Grocery.objects.in_bulk(list(grocery_ids | set(figures.logistics)))
    funders = Funder.objects.in_bulk(
        list(
            {order.funder_id for order in figures.orders if order.funder_id}
            | {funder_id for order in figures.orders for funder_id in order.funders}
        )
    )
    caisses = Caisse.objects.in_bulk(
        [order.caisse_id for order in figures.orders if order.caisse_id]
    )
    lists = dict(PurchaseList.objects.filter(cycle=cycle).values_list("producer_id", "id"))
    drafts = []
    for producer_id, amount in sorted(figures.producers.items()):
        producer = producers[producer_id]
        drafts.append(
            EntryDraft(
                source_key=f"cycle:{cycle.id}:producer:{producer_id}",
                kind=EntryKind.PURCHASE,
                memo=_("%(cycle)s: goods bought from %(producer)s")
                % {"cycle": cycle.name, "producer": producer.name},
                cycle_id=cycle.id,
                purchase_list_id=lists.get(producer_id),
            )
            .debit(purchases, amount)
            .credit(producer_account(producer), amount)
        )
    for order in figures.orders:
        draft = EntryDraft(
            source_key=f"cycle:{cycle.id}:order:{order.order_id}",
            kind=EntryKind.GROCERY_ORDER if order.grocery_id else EntryKind.HOUSEHOLD_ORDER,
            memo=_("%(cycle)s: order #%(order)d") % {"cycle": cycle.name, "order": order.order_id},
            cycle_id=cycle.id,
            order_id=order.order_id,
        )
        if order.grocery_id:
            # A funder programme's part of the eligible lines (DESIGN.md §12); the rest the
            # grocery pays.
            draft.debit(grocery_account(groceries[order.grocery_id]), order.ttc - order.subsidy)
            draft.credit(sales, order.ttc - order.subsidy)
            if order.subsidy:
                draft.debit(funder_account(funders[order.funder_id]), order.subsidy)
                draft.credit(subsidies, order.subsidy)
        elif order.caisse_id:  # paid from the member's credit (ssa.books)
            draft.debit(credit_account(caisses[order.caisse_id]), order.ttc)
            draft.credit(sales, order.ttc)
        else:
            pickup = groceries[order.pickup_grocery_id]
            draft.debit(contributions_account(pickup), order.share)
            for funder_id, subsidy in sorted(order.funders.items()):
                draft.debit(funder_account(funders[funder_id]), subsidy)
            if not order.funders:
                draft.debit(funder_account(funders[order.funder_id]), order.subsidy)
            draft.credit(sales, order.share)
            draft.credit(subsidies, order.subsidy)
        drafts.append(draft)
    recharged = sum(figures.logistics.values(), ZERO)
    logistics = EntryDraft(
        source_key=f"cycle:{cycle.id}:logistics",
        kind=EntryKind.LOGISTICS,
        memo=_("%(cycle)s: rounds and their recharge to groceries") % {"cycle": cycle.name},
        cycle_id=cycle.id,
    )
    logistics.debit(ledger.platform_account(ledger.TRANSPORT), figures.rounds_cost)
    logistics.credit(ledger.platform_account(ledger.TRANSPORT_PAYABLE), figures.rounds_cost)
    for grocery_id, share in sorted(figures.logistics.items()):
        logistics.debit(grocery_account(groceries[grocery_id]), share)
    logistics.credit(ledger.platform_account(ledger.TRANSPORT_RECHARGED), recharged)
    drafts.append(logistics)
    return drafts


def _spend_commitments(cycle: OrderCycle, cofunded: list[funding.FundedPart]) -> None:
    """Each envelope's commitment for this cycle's orders becomes spending: an order's own
    envelope (a household's funder, a grouped order's programme), or each co-funder's."""
    per_envelope = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle, order__envelope__isnull=False)
        .values("order__envelope_id")
        .annotate(subsidy=Sum("subsidy"))
        .values_list("order__envelope_id", "subsidy")
        .order_by()
    )
    spending: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for envelope_id, subsidy in per_envelope:
        spending[envelope_id] += quantize_money(subsidy)
    for part in cofunded:
        spending[part.envelope_id] += part.subsidy
    for envelope_id, subsidy in sorted(spending.items()):  # the lock order of envelope writers
        Envelope.objects.filter(pk=envelope_id).update(
            committed=to_the_cent(F("committed") - subsidy),
            spent=to_the_cent(F("spent") + subsidy),
        )


@transaction.atomic(durable=True)
def cycle_settle(
    *,
    cycle_id: int,
    user: User | None,
    now: datetime,
    progress: Callable[[float], None] | None = None,
) -> dict:
    progress = progress or (lambda percent: None)
    cycle = locks.cycle_lock(cycle_id)
    cycle_check_settleable(cycle=cycle)
    if cycle.status in FINISHED:
        return {"cycle": cycle_id, "status": cycle.status, "moved": False, "entries": 0}
    changes = received_changes(cycle=cycle)
    received_apply(changes)
    # What the groceries received, against the season contracts (DESIGN.md §10).
    contract_shortfalls_record(cycle=cycle, now=now)
    progress(30)
    figures = _figures(cycle, [])  # the changes are written: the sums include them
    progress(50)
    posted = ledger.entries_post(drafts=_drafts(cycle, figures), now=now, user=user)
    progress(70)
    invoices = invoicing.cycle_invoices_issue(
        cycle=cycle, logistics=figures.logistics, cofunded=figures.cofunded, now=now
    )
    progress(80)
    _spend_commitments(cycle, figures.cofunded)
    spending.spending_settle(
        totals={order.order_id: order.ttc for order in figures.orders if order.caisse_id}
    )
    cycle_orders_advance(cycle_id=cycle_id, to_status=OrderStatus.SETTLED)
    cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.SETTLED, user=user, now=now)
    notifications.statements_ready(cycle=cycle)
    return {
        "cycle": cycle_id,
        "status": CycleStatus.SETTLED,
        "moved": True,
        "entries": posted,
        "invoices": len(invoices),
        "repriced_lines": len(changes),
    }


def settlement_summary(*, cycle: OrderCycle) -> dict:
    """The settlement of API.md: from the ledger once settled, else a preview of what
    settling now would post (same figures, nothing written)."""
    if cycle.status in FINISHED:
        return _summary_from_ledger(cycle)
    figures = _figures(cycle, received_changes(cycle=cycle))
    groceries: dict[int | None, dict] = defaultdict(
        lambda: {"goods_ttc": ZERO, "logistics_eur": ZERO, "beneficiary_collected": ZERO}
    )
    funders: dict[int | None, dict] = defaultdict(
        lambda: {"subsidy_ttc": ZERO, "households": set()}
    )
    caisses: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for order in figures.orders:
        if order.grocery_id:
            groceries[order.grocery_id]["goods_ttc"] += order.ttc - order.subsidy
            if order.subsidy:
                funders[order.funder_id]["subsidy_ttc"] += order.subsidy
        elif order.caisse_id:
            caisses[order.caisse_id] += order.ttc
        else:
            groceries[order.pickup_grocery_id]["beneficiary_collected"] += order.share
            parts: list[tuple[int | None, Decimal]] = [*order.funders.items()]
            for funder_id, subsidy in parts or [(order.funder_id, order.subsidy)]:
                funders[funder_id]["subsidy_ttc"] += subsidy
                if subsidy:  # as the ledger counts them: households with a subsidy
                    funders[funder_id]["households"].add(order.household_id)
    for grocery_id, share in figures.logistics.items():
        groceries[grocery_id]["logistics_eur"] += share
    return _summary(
        cycle,
        settled=False,
        producers=figures.producers,
        groceries=groceries,
        funders={
            funder_id: {"subsidy_ttc": row["subsidy_ttc"], "households": len(row["households"])}
            for funder_id, row in funders.items()
        },
        caisses=caisses,
        balanced=True,  # nothing posted yet: the preview is built to balance
    )


def _summary_from_ledger(cycle: OrderCycle) -> dict:
    entries = JournalEntry.objects.filter(cycle=cycle)
    producers = {
        producer_id: -amount
        for producer_id, amount in ledger.party_totals(
            entries=entries, account_filter=Q(account__producer__isnull=False), party="producer"
        ).items()
    }
    groceries: dict[int, dict] = defaultdict(
        lambda: {"goods_ttc": ZERO, "logistics_eur": ZERO, "beneficiary_collected": ZERO}
    )
    for column, entry_filter, account_filter in (
        ("goods_ttc", Q(kind=EntryKind.GROCERY_ORDER), Q(account__code__startswith="411-")),
        ("logistics_eur", Q(kind=EntryKind.LOGISTICS), Q(account__code__startswith="411-")),
        ("beneficiary_collected", Q(), Q(account__code__startswith="4671-")),
    ):
        for grocery_id, amount in ledger.party_totals(
            entries=_with_reversals(entries.filter(entry_filter)),
            account_filter=account_filter,
            party="grocery",
        ).items():
            groceries[grocery_id][column] += amount
    subsidies = ledger.party_totals(
        entries=entries, account_filter=Q(account__funder__isnull=False), party="funder"
    )
    households = dict(
        JournalLine.objects.filter(entry__in=entries, account__funder__isnull=False, debit__gt=0)
        .values("account__funder_id")
        .annotate(households=Count("entry__order__household_id", distinct=True))
        .values_list("account__funder_id", "households")
        .order_by()
    )
    caisses = ledger.party_totals(
        entries=entries,
        account_filter=Q(account__caisse__isnull=False, account__code__startswith="4191-"),
        party="caisse",
    )
    trial = ledger.trial_balance(cycle_id=cycle.id)
    return _summary(
        cycle,
        settled=True,
        producers=producers,
        groceries=groceries,
        funders={
            funder_id: {"subsidy_ttc": amount, "households": households.get(funder_id, 0)}
            for funder_id, amount in subsidies.items()
        },
        caisses=caisses,
        balanced=trial["balanced"],
    )


def _with_reversals(entries: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """Entries and the reversals of them, so that a reversed entry nets to zero."""
    return JournalEntry.objects.filter(Q(id__in=entries) | Q(reverses__in=entries))


def _summary(
    cycle: OrderCycle,
    *,
    settled: bool,
    producers: dict[int, Decimal],
    groceries: Mapping[Any, dict],
    funders: Mapping[Any, dict],
    caisses: Mapping[int, Decimal],
    balanced: bool,
) -> dict:
    # Parties with nothing to pay or be paid post no entry: leave them out of both views.
    producers = {key: amount for key, amount in producers.items() if amount}
    groceries = {key: row for key, row in groceries.items() if any(row.values())}
    funders = {key: row for key, row in funders.items() if row["subsidy_ttc"]}
    caisses = {key: amount for key, amount in caisses.items() if amount}
    names = {
        "producer": dict(
            Producer.objects.filter(id__in=list(producers)).values_list("id", "organisation__name")
        ),
        "grocery": dict(
            Grocery.objects.filter(id__in=list(groceries)).values_list("id", "organisation__name")
        ),
        "funder": dict(Funder.objects.filter(id__in=list(funders)).values_list("id", "name")),
        "caisse": dict(Caisse.objects.filter(id__in=list(caisses)).values_list("id", "name")),
    }
    total_market = sum(producers.values(), ZERO)
    paid_by_others = sum(
        (row["goods_ttc"] + row["beneficiary_collected"] for row in groceries.values()), ZERO
    ) + sum((row["subsidy_ttc"] for row in funders.values()), ZERO)
    paid_by_others += sum(caisses.values(), ZERO)

    def by_name(kind: str, rows: dict) -> list:
        return sorted(rows.items(), key=lambda item: (names[kind][item[0]], item[0]))

    return {
        "cycle": cycle.id,
        "status": cycle.status,
        "settled": settled,
        "producers": [
            {"producer": key, "name": names["producer"][key], "amount_ttc": amount}
            for key, amount in by_name("producer", producers)
        ],
        "groceries": [
            {"grocery": key, "name": names["grocery"][key], **row}
            for key, row in by_name("grocery", groceries)
        ],
        "funders": [
            {"funder": key, "name": names["funder"][key], **row}
            for key, row in by_name("funder", funders)
        ],
        # What caisses alimentaires paid from their members' credit (DESIGN.md §14).
        "caisses": [
            {"caisse": key, "name": names["caisse"][key], "spending_ttc": amount}
            for key, amount in by_name("caisse", caisses)
        ],
        "total_market_ttc": total_market,
        "logistics_total": sum((row["logistics_eur"] for row in groceries.values()), ZERO),
        "balanced": balanced and total_market == paid_by_others,
    }
