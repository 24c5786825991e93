"""Statements (DESIGN.md §5.3), read from the ledger so that they match the books.

A statement covers the settled cycles delivered between two dates: per funder (subsidies by
cycle and CCAS, households served), per producer (what is owed, per cycle, with the detail by
product for the payment request), per grocery (goods, logistics, contributions collected).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Sum

from core.documents import pdf_from_template
from core.money import quantize_money
from orders.models import Grocery, OrderLine
from orders.quantities import delivered_quantity
from producers.models import Producer

from .choices import EntryKind
from .ledger import ZERO
from .models import Envelope, Funder, JournalLine


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def _lines(period: Period, **account):
    return JournalLine.objects.filter(
        entry__cycle__delivery_date__gte=period.start,
        entry__cycle__delivery_date__lte=period.end,
        **account,
    )


def _cycle_columns():
    return {
        "cycle": F("entry__cycle_id"),
        "cycle_name": F("entry__cycle__name"),
        "delivery_date": F("entry__cycle__delivery_date"),
    }


def funder_statement(*, funder: Funder, period: Period) -> dict:
    lines = _lines(period, account__funder=funder)
    rows = (
        lines.values(
            **_cycle_columns(),
            social_service=F("entry__order__household__social_service__organisation__name"),
        )
        .annotate(
            households=Count("entry__order__household_id", distinct=True),
            orders=Count("entry__order_id", distinct=True),
            debit=Sum("debit"),
            credit=Sum("credit"),
        )
        .order_by("delivery_date", "cycle", "social_service")
    )
    statement_lines = [
        {
            "cycle": row["cycle"],
            "cycle_name": row["cycle_name"],
            "delivery_date": row["delivery_date"],
            "social_service": row["social_service"] or "",
            "households": row["households"],
            "orders": row["orders"],
            "subsidy_ttc": quantize_money(row["debit"] - row["credit"]),
        }
        for row in rows
    ]
    envelopes = Envelope.objects.filter(
        funder=funder, period_start__lte=period.end, period_end__gte=period.start
    ).order_by("period_start")
    return {
        "funder": {"id": funder.id, "name": funder.name, "kind": funder.kind},
        "from": period.start,
        "to": period.end,
        "lines": statement_lines,
        "total_subsidy_ttc": sum((line["subsidy_ttc"] for line in statement_lines), ZERO),
        # Unduplicated over the period: a household served in three cycles counts once.
        "households": lines.values("entry__order__household_id").distinct().count(),
        "envelopes": [
            {
                "id": envelope.id,
                "period_start": envelope.period_start,
                "period_end": envelope.period_end,
                "amount": envelope.amount,
                "committed": envelope.committed,
                "spent": envelope.spent,
                "remaining": envelope.remaining,
            }
            for envelope in envelopes
        ],
    }


def producer_statement(*, producer: Producer, period: Period) -> dict:
    rows = (
        _lines(period, account__producer=producer)
        .values(**_cycle_columns())
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("delivery_date", "cycle")
    )
    cycles = [
        {
            "cycle": row["cycle"],
            "cycle_name": row["cycle_name"],
            "delivery_date": row["delivery_date"],
            "amount_ttc": quantize_money(row["credit"] - row["debit"]),
        }
        for row in rows
    ]
    return {
        "producer": {"id": producer.id, "name": producer.name, "siret": producer.siret},
        "from": period.start,
        "to": period.end,
        "lines": cycles,
        "total_ttc": sum((row["amount_ttc"] for row in cycles), ZERO),
    }


def producer_detail(*, producer: Producer, cycle_ids: list[int]) -> list[dict]:
    """What the producer delivered per cycle and product, summed line by line (the sums of
    line_ttc per cycle are the ledger's amounts)."""
    return list(
        OrderLine.objects.live()
        .filter(order__cycle_id__in=cycle_ids, offer__product__producer=producer)
        .values(
            "unit_price_ht",
            cycle=F("order__cycle_id"),
            product=F("offer__product__name"),
            unit=F("offer__product__unit"),
        )
        .annotate(
            quantity=Sum(delivered_quantity()),
            total_ht=Sum("line_ht"),
            total_vat=Sum("line_vat"),
            total_ttc=Sum("line_ttc"),
        )
        .order_by("cycle", "product", "unit_price_ht")
    )


def grocery_statement(*, grocery: Grocery, period: Period) -> dict:
    rows = (
        _lines(period, account__grocery=grocery)
        .values(**_cycle_columns(), kind=F("entry__kind"), code=F("account__code"))
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("delivery_date", "cycle")
    )
    cycles: dict[int, dict] = {}
    for row in rows:
        line = cycles.setdefault(
            row["cycle"],
            {
                "cycle": row["cycle"],
                "cycle_name": row["cycle_name"],
                "delivery_date": row["delivery_date"],
                "goods_ttc": ZERO,
                "logistics_eur": ZERO,
                "beneficiary_collected": ZERO,
                "total_due": ZERO,
            },
        )
        amount = quantize_money(row["debit"] - row["credit"])
        if row["code"].startswith("4671-"):
            line["beneficiary_collected"] += amount
        elif row["kind"] == EntryKind.LOGISTICS:
            line["logistics_eur"] += amount
        else:  # grouped orders, and reversals of them
            line["goods_ttc"] += amount
        line["total_due"] += amount
    lines = list(cycles.values())
    return {
        "grocery": {"id": grocery.id, "name": grocery.name},
        "from": period.start,
        "to": period.end,
        "lines": lines,
        "total_due": sum((line["total_due"] for line in lines), ZERO),
    }


def funder_statement_pdf(*, statement: dict) -> bytes:
    return pdf_from_template("accounting/funder_statement.html", {"statement": statement})


def producer_statement_pdf(*, statement: dict, producer: Producer) -> bytes:
    detail = producer_detail(
        producer=producer, cycle_ids=[line["cycle"] for line in statement["lines"]]
    )
    cycles = [
        {**line, "products": [row for row in detail if row["cycle"] == line["cycle"]]}
        for line in statement["lines"]
    ]
    total_ht = sum((row["total_ht"] for row in detail), Decimal("0.00"))
    total_vat = sum((row["total_vat"] for row in detail), Decimal("0.00"))
    return pdf_from_template(
        "accounting/producer_statement.html",
        {
            "statement": statement,
            "producer": producer,
            "cycles": cycles,
            "total_ht": total_ht,
            "total_vat": total_vat,
        },
    )
