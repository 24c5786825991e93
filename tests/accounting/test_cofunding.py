"""Co-funding (DESIGN.md §12), computed by hand: a household whose subsidy the CCAS pays at
70 % and the Département at 30 %, each line's subsidy split to the cent by the largest
remainder, each part committed to its funder's envelope, moved when the order changes and
when less is received, spent at settlement, posted to each funder and invoiced to each.

T1 (the household pays 10 %), VAT 5.5 %:
  carrots 4 kg × 2.00 = 8.00 HT, 0.44 VAT, 8.44 TTC: 0.84 + 7.60 → 5.32 CCAS, 2.28 Dépt
  eggs 1 × 2.30 = 2.30 HT, 0.13 VAT, 2.43 TTC: 0.24 + 2.19 → 219 c × 0.7 = 153.3, × 0.3 =
      65.7: the cent left goes to the larger remainder (0.7, the Département) → 1.53, 0.66
  potatoes 2.5 kg × 1.10 = 2.75 HT, 0.15 VAT, 2.90 TTC: 0.29 + 2.61 → 261 c: 182.7, 78.3:
      the cent to the CCAS → 1.83, 0.78
  placed with 3 kg of carrots (6.33 TTC: 0.63 + 5.70 → 3.99, 1.71), changed to 4, received 3.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounting.models import Envelope, Invoice, JournalLine
from orders.models import Household, HouseholdFunder, Order, OrderFunding, OrderLine
from tests import factories
from tests.accounting.conftest import dispatch_in_full, enrolment, order_for_cofunded, settle

YEAR = timezone.localdate().year


@pytest.fixture
def departement(market):
    today = timezone.localdate()
    funder = factories.FunderFactory(name="Département du Nord", kind="region")
    envelope = factories.EnvelopeFactory(
        funder=funder,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
        amount=D("100.00"),
    )
    return funder, envelope


def committed(*envelopes) -> list[D]:
    return [Envelope.objects.get(pk=envelope.pk).committed for envelope in envelopes]


def test_shares_that_do_not_add_up_or_repeat_a_funder_are_refused_and_nothing_stored(
    ccas_client, world, market, departement
):
    ccas, dept = market.funder, departement[0]
    cases = [
        ([(ccas, "0.7"), (dept, "0.2")], "Les parts doivent faire 1 (100 %) ; elles font 0,9."),
        ([(ccas, "0.5"), (ccas, "0.5")], "Un financeur est cité deux fois."),
        ([(ccas, "1.5")], None),
        ([(ccas, "0"), (dept, "1")], None),
        ([], "Indiquez le financeur de la subvention, ou les financeurs et leurs parts."),
    ]
    for shares, message in cases:
        body = enrolment(
            world, market, funders=[{"funder": f.id, "share": share} for f, share in shares]
        )
        answer = ccas_client.post("/api/v1/households/", body, format="json")
        assert answer.status_code == 400, (shares, answer.json())
        if message:
            assert answer.json()["message"] == message
    assert Household.objects.filter(reference__contains=str(YEAR)).count() == 1  # market's own
    assert HouseholdFunder.objects.count() == 0


def test_a_cofunded_household_is_split_to_the_cent_from_order_to_invoices(
    ccas_client,
    volunteer_client,
    coordinator_client,
    world,
    market,
    departement,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    ccas, ccas_envelope = market.funder, market.envelope
    dept, dept_envelope = departement
    before = committed(ccas_envelope, dept_envelope)
    body = enrolment(
        world,
        market,
        funders=[{"funder": dept.id, "share": "0.3"}, {"funder": ccas.id, "share": "0.7"}],
    )
    enrolled = ccas_client.post("/api/v1/households/", body, format="json")
    assert enrolled.status_code == 201, enrolled.json()
    assert enrolled.json()["funder"] == ccas.id  # the largest share
    assert enrolled.json()["funders"] == [
        {"funder": ccas.id, "share": "0.7000"},
        {"funder": dept.id, "share": "0.3000"},
    ]
    household_id = enrolled.json()["id"]

    carrots, eggs, potatoes = market.offers
    placed = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": household_id,
            "lines": [
                {"offer": carrots.id, "quantity": "3"},
                {"offer": eggs.id, "quantity": "1"},
                {"offer": potatoes.id, "quantity": "2.5"},
            ],
        },
        format="json",
    )
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    split = {line["offer"]: (line["subsidy"], line["subsidies"]) for line in order["lines"]}
    assert split == {
        carrots.id: (
            "5.70",
            [{"funder": ccas.id, "amount": "3.99"}, {"funder": dept.id, "amount": "1.71"}],
        ),
        eggs.id: (
            "2.19",
            [{"funder": ccas.id, "amount": "1.53"}, {"funder": dept.id, "amount": "0.66"}],
        ),
        potatoes.id: (
            "2.61",
            [{"funder": ccas.id, "amount": "1.83"}, {"funder": dept.id, "amount": "0.78"}],
        ),
    }
    assert order["subsidy_total"] == "10.50"
    assert committed(ccas_envelope, dept_envelope) == [before[0] + D("7.35"), before[1] + D("3.15")]
    assert Order.objects.get(pk=order["id"]).envelope_id is None
    assert OrderFunding.objects.filter(order_id=order["id"]).count() == 2

    # 4 kg of carrots: 7.60 → 5.32 + 2.28; the envelopes move by the difference of the splits.
    changed = volunteer_client.patch(
        f"/api/v1/orders/{order['id']}/",
        {
            "lines": [
                {"offer": carrots.id, "quantity": "4"},
                {"offer": eggs.id, "quantity": "1"},
                {"offer": potatoes.id, "quantity": "2.5"},
            ]
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert committed(ccas_envelope, dept_envelope) == [before[0] + D("8.68"), before[1] + D("3.72")]

    # The cycle runs: closed, confirmed in full, one round, 3 kg of carrots received.
    dispatch_in_full(coordinator_client, world, market.cycle, capture)
    carrots_line = OrderLine.objects.get(order_id=order["id"], offer=carrots)
    received = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": market.cycle.id,
            "lines": [{"order_line": carrots_line.id, "received_quantity": "3"}],
        },
        format="json",
    )
    assert received.status_code == 201, received.json()
    assert coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/deliver/").status_code == 200

    task = settle(coordinator_client, market.cycle, capture)
    assert task["state"] == "SUCCESS", task

    # Received 3 kg: 3.99 + 1.71 again; spent, nothing left committed by this order.
    envelopes = [Envelope.objects.get(pk=e.pk) for e in (ccas_envelope, dept_envelope)]
    assert [e.committed for e in envelopes] == before
    assert [e.spent for e in envelopes] == [D("7.35"), D("3.15")]
    entry_lines = {
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(entry__order_id=order["id"]).select_related(
            "account"
        )
    }
    assert entry_lines == {
        (f"4671-E{world.grocery.id}", D("1.16"), D("0.00")),
        (f"441-F{ccas.id}", D("7.35"), D("0.00")),
        (f"441-F{dept.id}", D("3.15"), D("0.00")),
        ("707", D("0.00"), D("1.16")),
        ("74", D("0.00"), D("10.50")),
    }
    invoices = {
        invoice.party_id: invoice
        for invoice in Invoice.objects.filter(party_kind="funder").prefetch_related("lines")
    }
    assert {funder: invoice.total_ttc for funder, invoice in invoices.items()} == {
        ccas.id: D("7.35"),
        dept.id: D("3.15"),
    }
    assert invoices[dept.id].lines.get().label.endswith("(1 foyers, 1 commandes)")
    summary = coordinator_client.get(f"/api/v1/cycles/{market.cycle.id}/settlement/").json()
    assert {row["funder"]: row["subsidy_ttc"] for row in summary["funders"]} == {
        ccas.id: "7.35",
        dept.id: "3.15",
    }
    trial = coordinator_client.get("/api/v1/ledger/trial-balance/").json()
    assert trial["balanced"] is True, trial


def test_an_envelope_that_cannot_cover_its_part_refuses_the_whole_order(
    ccas_client, volunteer_client, world, market, departement
):
    ccas, dept = market.funder, departement[0]
    dept_envelope = departement[1]
    dept_envelope.amount = D("2.00")
    dept_envelope.save()
    before = committed(market.envelope, dept_envelope)
    household_id, refused = order_for_cofunded(
        ccas_client,
        volunteer_client,
        world,
        market,
        [(ccas, "0.5"), (dept, "0.5")],
        market.offers[0],  # carrots
        "3",  # 5.70: 2.85 each, more than the Département's 2.00
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "envelope_exhausted"
    assert "Département du Nord" in refused.json()["message"]
    assert committed(market.envelope, dept_envelope) == before  # the CCAS's part rolled back
    assert not Order.objects.filter(household_id=household_id).exists()


def test_cancelling_a_cofunded_order_gives_each_envelope_its_part_back(
    ccas_client, volunteer_client, world, market, departement
):
    ccas, (dept, dept_envelope) = market.funder, departement
    before = committed(market.envelope, dept_envelope)
    _household_id, placed = order_for_cofunded(
        ccas_client,
        volunteer_client,
        world,
        market,
        [(ccas, "0.7"), (dept, "0.3")],
        market.offers[1],  # eggs
        "1",  # 2.19: 1.53 + 0.66
    )
    order = placed.json()
    assert committed(market.envelope, dept_envelope) == [
        before[0] + D("1.53"),
        before[1] + D("0.66"),
    ]

    assert volunteer_client.delete(f"/api/v1/orders/{order['id']}/").status_code in (200, 204)

    assert committed(market.envelope, dept_envelope) == before
