"""Settlement of the hand-computed cycle of conftest.py, to the cent.

Prices excl. VAT, VAT 5.5 %, rounded half-up at each line (DESIGN.md §4.1–4.2):

  carrots (P1) 2.00/kg: 50 offered for 70 asked. Households first (4 + 3 + 3 = 10), then the
    40 left shared between G1 (40 asked) and G2 (20): 26.667 -> 27 and 13.333 -> 13.
  eggs (P1) 2.30/box, potatoes (P2) 1.10/kg by 2.5, apples (P3) 2.40/kg: 33 allocated, 30
    confirmed -> households 2 + 1, then 27 for G1 (20 asked) and G2 (10): 18 and 9.
  G2 receives 28 boxes of eggs of the 30 confirmed.

  H1 T1: carrots 4 -> 8.00 + 0.44 = 8.44 (0.84 / 7.60); eggs 2 -> 4.60 + 0.25 = 4.85
         (0.49 / 4.36).                               TTC 13.29, share 1.33, subsidy 11.96
  H2 T2: carrots 3 -> 6.33 (1.27 / 5.06); apples 2 -> 4.80 + 0.26 = 5.06 (1.01 / 4.05).
                                                      TTC 11.39, share 2.28, subsidy  9.11
  H3 T3: potatoes 5 -> 5.50 + 0.30 = 5.80 (1.74 / 4.06); apples 1 -> 2.40 + 0.13 = 2.53
         (0.76 / 1.77).                               TTC  8.33, share 2.50, subsidy  5.83
  H4 T1: carrots 3 -> 6.33 (0.63 / 5.70); potatoes 2.5 -> 2.75 + 0.15 = 2.90 (0.29 / 2.61).
                                                      TTC  9.23, share 0.92, subsidy  8.31
  G1: carrots 27 -> 54.00 + 2.97 = 56.97; potatoes 50 -> 55.00 + 3.03 = 58.03;
      apples 18 -> 43.20 + 2.38 = 45.58.                                   goods 160.58
  G2: carrots 13 -> 26.00 + 1.43 = 27.43; eggs 28 received -> 64.40 + 3.54 = 67.94 (30 would
      have been 72.80); apples 9 -> 21.60 + 1.19 = 22.79.                   goods 118.16

  Producers: P1 = 8.44 + 6.33 + 6.33 + 56.97 + 27.43 + 4.85 + 67.94 = 178.29;
             P2 = 5.80 + 2.90 + 58.03 = 66.73; P3 = 5.06 + 2.53 + 45.58 + 22.79 = 75.96.
  Market value 320.98 = goods 278.74 + shares 7.03 + subsidies 35.21.
  Funders: F1 (H1, H2, H3) 26.90; F2 (H4) 8.31.
  Rounds 31.50 + 18.70 = 50.20 € shared by delivered kg: G1 95 + 9.76 = 104.76 kg,
  G2 32.64 + 11.50 = 44.14 kg -> 5020 cents x 104.76 / 148.90 = 3531.87 -> 35.32 (largest
  remainder), G2 14.88.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from accounting import settlement as settlement_module
from accounting.models import Envelope, JournalEntry, JournalLine
from core.models import AppendOnlyViolation
from orders.models import Order, OrderLine
from tests.accounting.conftest import settle
from tests.helpers import client_for

D = Decimal


def _by(rows, key):
    return {row[key]: row for row in rows}


def test_the_preview_shows_what_settling_will_post(coordinator_client, delivered):
    preview = coordinator_client.get(f"/api/v1/cycles/{delivered.cycle.id}/settlement/").json()

    assert preview["settled"] is False
    assert preview["total_market_ttc"] == "320.98"
    assert JournalEntry.objects.count() == 0  # a preview posts nothing
    eggs = OrderLine.objects.get(
        order_id=delivered.orders["G2"], offer__product__name__contains="Œufs"
    )
    assert eggs.line_ttc == D("72.80")  # not repriced until settled


def test_settlement_figures_to_the_cent(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    cycle = delivered.cycle
    preview = coordinator_client.get(f"/api/v1/cycles/{cycle.id}/settlement/").json()

    task = settle(coordinator_client, cycle, django_capture_on_commit_callbacks)
    settled = coordinator_client.get(f"/api/v1/cycles/{cycle.id}/settlement/").json()

    assert task["state"] == "SUCCESS", task
    assert task["result"]["repriced_lines"] == 1
    p1, p2, p3 = delivered.producers
    g1, g2 = delivered.groceries
    f1, f2 = delivered.funders
    assert settled["settled"] is True
    assert settled["status"] == "settled"
    assert settled["balanced"] is True
    assert settled["total_market_ttc"] == "320.98"
    assert settled["logistics_total"] == "50.20"
    producers = _by(settled["producers"], "producer")
    assert {key: row["amount_ttc"] for key, row in producers.items()} == {
        p1.id: "178.29",
        p2.id: "66.73",
        p3.id: "75.96",
    }
    groceries = _by(settled["groceries"], "grocery")
    assert groceries[g1.id] | {"name": ""} == {
        "grocery": g1.id,
        "name": "",
        "goods_ttc": "160.58",
        "logistics_eur": "35.32",
        "beneficiary_collected": "3.61",
    }
    assert groceries[g2.id] | {"name": ""} == {
        "grocery": g2.id,
        "name": "",
        "goods_ttc": "118.16",
        "logistics_eur": "14.88",
        "beneficiary_collected": "3.42",
    }
    funders = _by(settled["funders"], "funder")
    assert (funders[f1.id]["subsidy_ttc"], funders[f1.id]["households"]) == ("26.90", 3)
    assert (funders[f2.id]["subsidy_ttc"], funders[f2.id]["households"]) == ("8.31", 1)
    # The preview read the lines; the settled figures read the ledger: the same to the cent.
    assert {**preview, "settled": True, "status": "settled"} == settled


def test_settlement_reprices_received_lines_and_spends_commitments(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    f1_envelope, f2_envelope = delivered.envelopes
    assert (f1_envelope.__class__.objects.get(pk=f1_envelope.pk).committed) == D("26.90")

    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)

    eggs = OrderLine.objects.get(
        order_id=delivered.orders["G2"], offer__product__name__contains="Œufs"
    )
    assert (eggs.confirmed_quantity, eggs.received_quantity) == (D("30"), D("28"))
    assert (eggs.line_ht, eggs.line_vat, eggs.line_ttc) == (D("64.40"), D("3.54"), D("67.94"))
    assert Order.objects.get(pk=delivered.orders["G2"]).total_ttc == D("118.16")
    assert set(Order.objects.filter(cycle=delivered.cycle).values_list("status", flat=True)) == {
        "settled"
    }
    f1_envelope = Envelope.objects.get(pk=f1_envelope.pk)
    f2_envelope = Envelope.objects.get(pk=f2_envelope.pk)
    assert (f1_envelope.committed, f1_envelope.spent) == (D("0.00"), D("26.90"))
    assert (f2_envelope.committed, f2_envelope.spent, f2_envelope.remaining) == (
        D("0.00"),
        D("8.31"),
        D("491.69"),
    )


def test_the_trial_balance_after_settlement(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    p1, p2, p3 = delivered.producers
    g1, g2 = delivered.groceries
    f1, f2 = delivered.funders

    trial = coordinator_client.get("/api/v1/ledger/trial-balance/").json()

    balances = {row["code"]: (row["debit"], row["credit"]) for row in trial["accounts"]}
    assert balances == {
        f"401-P{p1.id}": ("0.00", "178.29"),
        f"401-P{p2.id}": ("0.00", "66.73"),
        f"401-P{p3.id}": ("0.00", "75.96"),
        "4081": ("0.00", "50.20"),
        f"411-E{g1.id}": ("195.90", "0.00"),
        f"411-E{g2.id}": ("133.04", "0.00"),
        f"441-F{f1.id}": ("26.90", "0.00"),
        f"441-F{f2.id}": ("8.31", "0.00"),
        f"4671-E{g1.id}": ("3.61", "0.00"),
        f"4671-E{g2.id}": ("3.42", "0.00"),
        "607": ("320.98", "0.00"),
        "6241": ("50.20", "0.00"),
        "707": ("0.00", "285.77"),
        "7085": ("0.00", "50.20"),
        "74": ("0.00", "35.21"),
    }
    assert (trial["total_debit"], trial["total_credit"]) == ("742.36", "742.36")
    # One entry per producer, per order and for the rounds; each balances.
    assert JournalEntry.objects.filter(cycle=delivered.cycle).count() == 3 + 6 + 1
    call_command("ledger_check")


def test_settling_twice_posts_nothing_new(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    lines = JournalLine.objects.count()
    envelopes = list(Envelope.objects.order_by("id").values_list("committed", "spent"))

    again = settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)

    assert again["state"] == "SUCCESS"
    assert again["result"]["moved"] is False
    assert JournalLine.objects.count() == lines
    assert list(Envelope.objects.order_by("id").values_list("committed", "spent")) == envelopes


def test_a_settlement_killed_half_way_leaves_nothing_and_the_rerun_settles_once(
    coordinator_client, delivered, django_capture_on_commit_callbacks, monkeypatch
):
    cycle = delivered.cycle
    envelopes = list(Envelope.objects.order_by("id").values_list("committed", "spent"))
    eggs = OrderLine.objects.get(
        order_id=delivered.orders["G2"], offer__product__name__contains="Œufs"
    )

    def die(cycle, cofunded):  # the worker dies after the entries are written, before the end
        raise SystemExit("worker killed")

    monkeypatch.setattr(settlement_module, "_spend_commitments", die)
    with pytest.raises(SystemExit):
        settlement_module.cycle_settle(cycle_id=cycle.id, user=None, now=cycle.closes_at)

    cycle.refresh_from_db()
    eggs.refresh_from_db()
    assert cycle.status == "delivered"
    assert JournalEntry.objects.count() == 0
    assert eggs.line_ttc == D("72.80")
    assert list(Envelope.objects.order_by("id").values_list("committed", "spent")) == envelopes

    monkeypatch.undo()
    task = settle(coordinator_client, cycle, django_capture_on_commit_callbacks)
    assert task["result"]["entries"] == 10
    assert JournalEntry.objects.count() == 10
    assert (
        coordinator_client.get(f"/api/v1/cycles/{cycle.id}/settlement/").json()["total_market_ttc"]
        == "320.98"
    )


def test_settling_before_delivery_is_refused_and_changes_nothing(
    coordinator_client, confirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"/api/v1/cycles/{confirmed.cycle.id}/settle/")

    assert response.status_code == 409
    assert response.json()["code"] == "cycle_not_delivered"
    confirmed.cycle.refresh_from_db()
    assert confirmed.cycle.status == "confirmed"
    assert JournalEntry.objects.count() == 0


def test_dispatch_needs_planned_rounds(coordinator_client, confirmed):
    response = coordinator_client.post(f"/api/v1/cycles/{confirmed.cycle.id}/dispatch/")

    assert response.status_code == 409
    assert response.json()["code"] == "rounds_not_planned"
    confirmed.cycle.refresh_from_db()
    assert confirmed.cycle.status == "confirmed"


def test_a_settled_cycle_is_read_only(
    coordinator_client, delivered, world, django_capture_on_commit_callbacks
):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    line = OrderLine.objects.filter(order_id=delivered.orders["G1"]).first()

    reception = client_for(world.volunteer).post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {"cycle": delivered.cycle.id, "lines": [{"order_line": line.id, "received_quantity": "1"}]},
        format="json",
    )
    plan = coordinator_client.post(
        f"/api/v1/cycles/{delivered.cycle.id}/routes/plan/",
        {"vehicles": [world.vehicle.id], "time_limit_s": 1},
        format="json",
    )
    edit = client_for(world.volunteer).patch(
        f"/api/v1/orders/{delivered.orders['G1']}/",
        {"lines": [{"offer": line.offer_id, "quantity": "1"}]},
        format="json",
    )

    assert reception.status_code == plan.status_code == edit.status_code == 409
    line.refresh_from_db()
    assert line.received_quantity is None


def test_receiving_more_than_confirmed_is_refused(world, delivered):
    line = OrderLine.objects.filter(order_id=delivered.orders["G1"]).order_by("id").first()

    response = client_for(world.volunteer).post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": delivered.cycle.id,
            "lines": [{"order_line": line.id, "received_quantity": "1000"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["lines.0.received_quantity"]
    line.refresh_from_db()
    assert line.received_quantity is None


def test_the_journal_cannot_be_changed(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    entry = JournalEntry.objects.first()
    line = entry.lines.first()

    with pytest.raises(AppendOnlyViolation):
        entry.memo = "changed"
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        line.delete()
    # Underneath the models, the database refuses too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounting_journalline SET debit = debit + 1")
    line.refresh_from_db()
    assert JournalLine.objects.filter(pk=line.pk, debit=line.debit).exists()
