"""Funder programmes (DESIGN.md §12), computed by hand: the Métropole pays 70 % of the local
fruit and vegetables of the groceries' grouped orders (Uniterres-like), from its envelope;
the grocery pays the rest and everything the programme does not cover. The same cycle
carries a household co-funded by the CCAS and the Métropole: one settlement, both ways.

A grouped order of the grocery, VAT 5.5 %:
  carrots (vegetables, local producer, 8.67 km) 20 kg × 2.00 = 40.00 HT, 2.20 VAT, 42.20 TTC:
      the grocery 30 % = 12.66, the Métropole 29.54 (placed at 10 kg: 21.10 → 6.33 + 14.77)
  eggs (not a category of the programme) 6 × 2.30 = 13.80 HT, 0.76 VAT, 14.56 TTC
  potatoes (vegetables, but the producer is 120 km away) 5 kg × 1.10 = 5.50 HT, 0.30, 5.80
  order 62.56 TTC: the Métropole 29.54, the grocery 33.02; one round of 10.00 € its share.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from facturx import xml_check_xsd

from accounting import facturx
from accounting.models import Envelope, FunderProgramme, Invoice, JournalLine
from tests import factories
from tests.accounting.conftest import dispatch_in_full, order_for_cofunded, settle


@pytest.fixture
def metropole(market):
    today = timezone.localdate()
    funder = factories.FunderFactory(name="Métropole européenne de Lille", kind="metropole")
    envelope = factories.EnvelopeFactory(
        funder=funder,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=90),
        amount=D("200.00"),
    )
    return funder, envelope


def programme_body(funder, envelope, **overrides):
    return {
        "funder": funder.id,
        "envelope": envelope.id,
        "name": "Fruits et légumes locaux",
        "rate": "0.700",
        "categories": ["fruits", "legumes"],
        "local_only": True,
        **overrides,
    }


def test_a_programme_out_of_bounds_or_a_second_active_one_is_refused(
    coordinator_client, volunteer_client, market, metropole
):
    funder, envelope = metropole
    other_envelope = market.envelope  # the CCAS's, not the Métropole's
    cases = [
        (programme_body(funder, envelope, rate="1.500"), 400, "au plus 1 (100 %)"),
        (programme_body(funder, envelope, rate="0"), 400, "au-dessus de 0"),
        (programme_body(funder, other_envelope), 400, "L'enveloppe doit être celle du financeur."),
        (programme_body(funder, envelope, categories=["caviar"]), 400, None),
    ]
    for body, status, message in cases:
        answer = coordinator_client.post("/api/v1/funder-programmes/", body, format="json")
        assert answer.status_code == status, (body, answer.json())
        if message:
            assert message in answer.json()["message"], answer.json()
    assert FunderProgramme.objects.count() == 0
    assert (
        volunteer_client.post(
            "/api/v1/funder-programmes/", programme_body(funder, envelope), format="json"
        ).status_code
        == 403
    )

    first = coordinator_client.post(
        "/api/v1/funder-programmes/", programme_body(funder, envelope), format="json"
    )
    assert first.status_code == 201, first.json()
    second = coordinator_client.post(
        "/api/v1/funder-programmes/",
        programme_body(funder, envelope, name="Produits laitiers", categories=["laitier"]),
        format="json",
    )
    assert second.status_code == 409 and second.json()["code"] == "programme_active"
    # Deactivated, the second may start.
    assert (
        coordinator_client.patch(
            f"/api/v1/funder-programmes/{first.json()['id']}/", {"is_active": False}, format="json"
        ).status_code
        == 200
    )
    again = coordinator_client.post(
        "/api/v1/funder-programmes/",
        programme_body(funder, envelope, name="Produits laitiers", categories=["laitier"]),
        format="json",
    )
    assert again.status_code == 201, again.json()


def test_a_programme_pays_its_share_of_the_eligible_lines_to_the_cent(
    coordinator_client,
    volunteer_client,
    ccas_client,
    world,
    market,
    metropole,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    funder, envelope = metropole
    world.other_producer.distance_to_hub_km = D("120")
    world.other_producer.save()
    programme = coordinator_client.post(
        "/api/v1/funder-programmes/", programme_body(funder, envelope), format="json"
    ).json()
    carrots, eggs, potatoes = market.offers

    def lines(carrots_kg):
        return [
            {"offer": carrots.id, "quantity": carrots_kg},
            {"offer": eggs.id, "quantity": "6"},
            {"offer": potatoes.id, "quantity": "5"},
        ]

    placed = volunteer_client.post(
        "/api/v1/orders/",
        {"cycle": market.cycle.id, "grocery": world.grocery.id, "lines": lines("10")},
        format="json",
    )
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert order["programme"] == programme["id"]
    assert {
        line["offer"]: (
            line["line_ttc"],
            line["beneficiary_share"],
            line["subsidy"],
            line["subsidies"],
        )
        for line in order["lines"]
    } == {
        carrots.id: ("21.10", "6.33", "14.77", [{"funder": funder.id, "amount": "14.77"}]),
        eggs.id: ("14.56", "0.00", "0.00", []),
        potatoes.id: ("5.80", "0.00", "0.00", []),
    }
    assert (order["total_ttc"], order["subsidy_total"]) == ("41.46", "14.77")
    assert Envelope.objects.get(pk=envelope.pk).committed == D("14.77")

    changed = volunteer_client.patch(
        f"/api/v1/orders/{order['id']}/", {"lines": lines("20")}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["total_ttc"], changed.json()["subsidy_total"]) == ("62.56", "29.54")
    assert Envelope.objects.get(pk=envelope.pk).committed == D("29.54")

    # In the same cycle, a household the CCAS and the Métropole fund at 70/30: one box of
    # eggs, 2.43 TTC: 0.24 + 2.19 → 1.53 CCAS, 0.66 Métropole (from the same envelope).
    _household_id, household_order = order_for_cofunded(
        ccas_client,
        volunteer_client,
        world,
        market,
        [(market.funder, "0.7"), (funder, "0.3")],
        eggs,
        "1",
    )
    assert household_order.status_code == 201, household_order.json()
    household_order = household_order.json()
    assert Envelope.objects.get(pk=envelope.pk).committed == D("30.20")

    dispatch_in_full(coordinator_client, world, market.cycle, capture)
    assert coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/deliver/").status_code == 200

    task = settle(coordinator_client, market.cycle, capture)
    assert task["state"] == "SUCCESS", task

    spent = Envelope.objects.get(pk=envelope.pk)
    assert (spent.committed, spent.spent) == (D("0.00"), D("30.20"))
    assert {
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(
            entry__order_id=household_order["id"]
        ).select_related("account")
    } == {
        (f"4671-E{world.grocery.id}", D("0.24"), D("0.00")),
        (f"441-F{market.funder.id}", D("1.53"), D("0.00")),
        (f"441-F{funder.id}", D("0.66"), D("0.00")),
        ("707", D("0.00"), D("0.24")),
        ("74", D("0.00"), D("2.19")),
    }
    assert {
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(entry__order_id=order["id"]).select_related(
            "account"
        )
    } == {
        (f"411-E{world.grocery.id}", D("33.02"), D("0.00")),
        (f"441-F{funder.id}", D("29.54"), D("0.00")),
        ("707", D("0.00"), D("33.02")),
        ("74", D("0.00"), D("29.54")),
    }
    grocery_invoice = Invoice.objects.get(party_kind="grocery", grocery=world.grocery)
    invoiced = [(line.label, line.total_ttc) for line in grocery_invoice.lines.order_by("id")]
    # The goods at their full price, by product name; the programme's part taken off; the round.
    assert sorted(total for _label, total in invoiced[:3]) == [D("5.80"), D("14.56"), D("42.20")]
    assert invoiced[3] == (
        "Pris en charge par Métropole européenne de Lille : programme « Fruits et légumes "
        "locaux » (70 %)",
        D("-29.54"),
    )
    assert invoiced[4][1] == D("10.00") and len(invoiced) == 5
    assert grocery_invoice.total_ttc == D("43.02")  # 33.02 + the round's 10.00
    funder_invoice = Invoice.objects.get(party_kind="funder", funder=funder)
    assert [line.total_ttc for line in funder_invoice.lines.order_by("id")] == [
        D("0.66"),  # its share of the co-funded household's subsidy
        D("29.54"),  # the programme
    ]
    assert funder_invoice.total_ttc == D("30.20")
    assert funder_invoice.lines.order_by("id").last().label.endswith("(1 épiceries)")
    ccas_invoice = Invoice.objects.get(party_kind="funder", funder=market.funder)
    assert ccas_invoice.total_ttc == D("1.53")
    for invoice in (grocery_invoice, funder_invoice):
        assert xml_check_xsd(facturx.facturx_xml(invoice), flavor="factur-x", level="en16931")
    summary = coordinator_client.get(f"/api/v1/cycles/{market.cycle.id}/settlement/").json()
    assert {row["funder"]: row["subsidy_ttc"] for row in summary["funders"]} == {
        funder.id: "30.20",
        market.funder.id: "1.53",
    }
    assert coordinator_client.get("/api/v1/ledger/trial-balance/").json()["balanced"] is True
