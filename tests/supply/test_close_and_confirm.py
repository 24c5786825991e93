import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from accounting.models import Envelope
from orders import quantities
from orders.models import Order, OrderLine
from orders.services import RequestedLine, order_submit
from producers.models import Offer
from supply.models import CycleEvent, OrderCycle, PurchaseList, PurchaseListLine
from supply.services import cycle_close, purchase_list_confirm
from tests import factories
from tests.helpers import client_for, close


def line(order_id, offer):
    return OrderLine.objects.get(order_id=order_id, offer=offer)


def served(order_line):
    """The allocation of a closed line: stored only when it differs from what was asked."""
    return quantities.allocated(order_line)


def test_close_allocates_households_first_and_builds_one_list_per_producer(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    household, grouped = ordered

    response, task = close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    assert task["state"] == "SUCCESS", task
    assert task["result"]["short_offers"] == 1
    carrots_household = line(household["id"], market.offers[0])
    carrots_grocery = line(grouped["id"], market.offers[0])
    assert (carrots_household.quantity, carrots_household.allocated_quantity) == (3, None)
    assert (carrots_grocery.quantity, carrots_grocery.allocated_quantity) == (120, 97)
    shown = coordinator_client.get(f"/api/v1/orders/{household['id']}/").json()["lines"][0]
    assert (shown["quantity"], shown["allocated_quantity"]) == ("3.000", "3.000")
    # 97 kg × 2.00 = 194.00 HT, 10.67 VAT, 204.67 TTC; the asked 120 stays beside it.
    assert (carrots_grocery.line_ht, carrots_grocery.line_ttc) == (
        Decimal("194.00"),
        Decimal("204.67"),
    )
    grouped_order = Order.objects.get(pk=grouped["id"])
    assert grouped_order.status == "allocated"
    assert grouped_order.total_ttc == Decimal("204.67") + Decimal("58.03")  # 50 kg potatoes
    lists = PurchaseList.objects.filter(cycle=market.cycle)
    assert {item.producer_id for item in lists} == {world.producer.id, world.other_producer.id}
    carrots = PurchaseListLine.objects.get(offer=market.offers[0])
    assert (carrots.ordered_quantity, carrots.allocated_quantity) == (123, 100)
    assert sorted(message.to[0] for message in mail.outbox) == [world.producer_user.email]
    # The producer is asked for the 100 kg it offered, not the grocery's 97 (product names
    # come from a factory sequence and may hold those digits: read the quantities only).
    quantities = re.findall(r"\| (\d+) kilogrammes", mail.outbox[0].body)
    assert "97" not in quantities and "100" in quantities


def test_close_twice_gives_the_same_lists_and_no_duplicates(
    coordinator_client, market, ordered, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    first = list(
        PurchaseListLine.objects.order_by("offer_id").values(
            "offer_id", "ordered_quantity", "allocated_quantity"
        )
    )
    lines_before = list(OrderLine.objects.order_by("id").values())

    again = cycle_close(cycle_id=market.cycle.id, user=None, now=timezone.now())

    assert again["moved"] is False
    assert (
        list(
            PurchaseListLine.objects.order_by("offer_id").values(
                "offer_id", "ordered_quantity", "allocated_quantity"
            )
        )
        == first
    )
    assert list(OrderLine.objects.order_by("id").values()) == lines_before
    assert PurchaseList.objects.filter(cycle=market.cycle).count() == 2
    assert CycleEvent.objects.filter(cycle=market.cycle, to_status="closed").count() == 1


def test_a_crash_mid_close_leaves_nothing_and_a_rerun_closes(market, ordered, monkeypatch):
    from supply import consolidation

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(consolidation, "purchase_lists_build", crash)
    with pytest.raises(RuntimeError):
        cycle_close(cycle_id=market.cycle.id, user=None, now=timezone.now())

    assert OrderCycle.objects.get(pk=market.cycle.pk).status == "open"
    assert not OrderLine.objects.filter(allocated_quantity__isnull=False).exists()
    monkeypatch.undo()
    assert cycle_close(cycle_id=market.cycle.id, user=None, now=timezone.now())["moved"]
    assert PurchaseList.objects.filter(cycle=market.cycle).count() == 2


def test_producer_sees_its_own_purchase_list_only(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    producer = client_for(world.producer_user)
    other = PurchaseList.objects.get(cycle=market.cycle, producer=world.other_producer)

    listed = producer.get(f"/api/v1/cycles/{market.cycle.id}/purchase-lists/").json()

    assert [item["producer"] for item in listed] == [world.producer.id]
    assert producer.get(f"/api/v1/purchase-lists/{other.id}/").status_code == 404
    assert producer.get(f"/api/v1/purchase-lists/{other.id}/pdf/").status_code == 404
    assert (
        client_for(world.volunteer)
        .get(f"/api/v1/cycles/{market.cycle.id}/purchase-lists/")
        .status_code
        == 403
    )


def test_purchase_order_pdf_has_the_right_totals(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    listed = coordinator_client.get(f"/api/v1/cycles/{market.cycle.id}/purchase-lists/").json()
    expected = next(item for item in listed if item["id"] == own.id)

    response = client_for(world.producer_user).get(f"/api/v1/purchase-lists/{own.id}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Bon de commande" in text and world.producer.name in text
    # Carrots only: 100 kg × 2.00 € = 200.00 HT (3 + 97), 11.00 VAT (0.33 + 10.67).
    assert expected["total_ht"] == "200.00" and expected["total_ttc"] == "211.00"
    assert "200,00 €" in text and "11,00 €" in text and "211,00 €" in text
    assert "Chambre froide du MIN de Lomme" in text


def test_purchase_lists_and_packing_lists_as_csv(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    purchase = coordinator_client.get(
        f"/api/v1/cycles/{market.cycle.id}/purchase-lists/?format=csv"
    )
    packing = client_for(world.volunteer).get(
        f"/api/v1/cycles/{market.cycle.id}/packing-lists/?format=csv"
    )

    assert purchase["Content-Type"].startswith("text/csv")
    purchase_rows = purchase.content.decode("utf-8-sig").splitlines()
    assert purchase_rows[0].startswith("Producteur;État;N° d'offre;Produit;Unité;Commandé")
    assert len(purchase_rows) == 1 + 2  # carrots, potatoes
    raw = b"".join(packing.streaming_content) if packing.streaming else packing.content
    packing_rows = raw.decode("utf-8-sig").splitlines()
    assert packing_rows[0].split(";")[:3] == ["N° épicerie", "Épicerie", "N° de commande"]
    assert all("." not in row.split(";")[-1] for row in packing_rows[1:])  # decimal commas
    assert len(packing_rows) == 1 + 4
    household_rows = [row for row in packing_rows if market.household.reference in row]
    assert len(household_rows) == 2


def test_confirming_less_shares_again_and_the_envelope_follows(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    household, grouped = ordered
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("10.92")

    response = client_for(world.producer_user).post(
        f"/api/v1/purchase-lists/{own.id}/confirm/",
        {"lines": [{"offer": market.offers[0].id, "confirmed_quantity": "2"}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "partial"
    carrots_household = line(household["id"], market.offers[0])
    carrots_grocery = line(grouped["id"], market.offers[0])
    # S = 2 on the quantities asked (3 and 120): the household first gets 2, the grocery 0.
    assert (served(carrots_household), carrots_household.confirmed_quantity) == (3, 2)
    assert (carrots_grocery.allocated_quantity, carrots_grocery.confirmed_quantity) == (97, 0)
    # 2 kg: 4.00 HT, 0.22 VAT, 4.22 TTC, 0.42 for the household, 3.80 for the funder.
    assert (carrots_household.line_ttc, carrots_household.subsidy) == (
        Decimal("4.22"),
        Decimal("3.80"),
    )
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("9.02")
    assert Order.objects.get(pk=household["id"]).subsidy_total == Decimal("9.02")


def test_answering_again_starts_from_what_was_asked(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    household, _grouped = ordered
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    producer = client_for(world.producer_user)
    producer.post(
        f"/api/v1/purchase-lists/{own.id}/confirm/",
        {"lines": [{"offer": market.offers[0].id, "confirmed_quantity": "2"}]},
        format="json",
    )

    full = producer.post(f"/api/v1/purchase-lists/{own.id}/confirm/", {"lines": []}, format="json")

    assert full.json()["status"] == "confirmed"
    assert line(household["id"], market.offers[0]).confirmed_quantity == 3
    assert line(household["id"], market.offers[0]).line_ttc == Decimal("6.33")
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("10.92")


def test_confirming_less_never_gives_a_line_more_than_its_allocation(market, world):
    # Asked 6, 6 and 2 for 11 available: 5, 5 and 1 at close. Shared again on 10, the
    # rule alone would give the third household 2 (the Alabama paradox); it keeps its 1.
    now = timezone.now()
    carrots = market.offers[0]
    Offer.objects.filter(pk=carrots.pk).update(quantity_available=11)
    orders = []
    for minutes, asked in enumerate((6, 6, 2)):
        household = factories.enrol(world, funder=market.funder)
        orders.append(
            order_submit(
                user=world.volunteer,
                cycle_id=market.cycle.id,
                lines=[RequestedLine(offer_id=carrots.id, quantity=Decimal(asked))],
                now=now + timedelta(minutes=minutes),
                household_id=household.id,
            )
        )
    cycle_close(cycle_id=market.cycle.id, user=None, now=now)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)

    purchase_list_confirm(purchase_list=own, confirmed={carrots.id: Decimal("10")}, now=now)

    lines = [line(order.id, carrots) for order in orders]
    assert [served(item) for item in lines] == [5, 5, 1]
    assert [item.confirmed_quantity for item in lines] == [5, 4, 1]


@pytest.mark.parametrize(
    ("quantity", "field"),
    [("101", "lines.0.confirmed_quantity"), ("-1", "lines.0.confirmed_quantity")],
)
def test_confirming_more_than_allocated_is_refused(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks, quantity, field
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    before = list(OrderLine.objects.order_by("id").values())

    response = client_for(world.producer_user).post(
        f"/api/v1/purchase-lists/{own.id}/confirm/",
        {"lines": [{"offer": market.offers[0].id, "confirmed_quantity": quantity}]},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert list(OrderLine.objects.order_by("id").values()) == before


def test_after_the_deadline_confirmation_is_closed_and_silence_counts_as_zero(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    household, _grouped = ordered
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    other = PurchaseList.objects.get(cycle=market.cycle, producer=world.other_producer)
    client_for(world.producer_user).post(
        f"/api/v1/purchase-lists/{own.id}/confirm/", {"lines": []}, format="json"
    )
    early = coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/confirm/")
    OrderCycle.objects.filter(pk=market.cycle.pk).update(
        closes_at=timezone.now() - timedelta(minutes=2),
        confirm_by=timezone.now() - timedelta(minutes=1),
    )

    late = client_for(world.producer_user).post(
        f"/api/v1/purchase-lists/{own.id}/confirm/", {"lines": []}, format="json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/confirm/")

    assert early.status_code == 409 and early.json()["code"] == "confirmations_pending"
    assert late.status_code == 409 and late.json()["code"] == "confirmation_closed"
    assert confirmed.status_code == 202
    assert OrderCycle.objects.get(pk=market.cycle.pk).status == "confirmed"
    assert PurchaseList.objects.get(pk=other.pk).status == "missed"
    potatoes = line(household["id"], market.offers[2])
    assert (served(potatoes), potatoes.confirmed_quantity) == (5, 0)
    assert potatoes.line_ttc == Decimal("0.00")
    assert Order.objects.get(pk=household["id"]).status == "confirmed"
    # Only the carrots remain subsidised: 5.70 €.
    assert Envelope.objects.get(pk=market.envelope.pk).committed == Decimal("5.70")


def test_close_from_the_command_line_with_a_progress_bar(market, ordered, capsys):
    from django.core.management import call_command

    call_command("cycle_close", market.cycle.id, "--progress")

    captured = capsys.readouterr()
    assert "100%" in captured.err
    assert '"short_offers": 1' in captured.out
    assert OrderCycle.objects.get(pk=market.cycle.pk).status == "closed"


def test_cancelled_orders_are_left_out_of_the_lists(
    coordinator_client, volunteer_client, market, ordered, django_capture_on_commit_callbacks
):
    household, _grouped = ordered
    volunteer_client.delete(f"/api/v1/orders/{household['id']}/")

    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    carrots = PurchaseListLine.objects.get(offer=market.offers[0])
    assert (carrots.ordered_quantity, carrots.allocated_quantity) == (120, 100)
    assert (
        not OrderLine.objects.filter(order_id=household["id"])
        .exclude(allocated_quantity=None)
        .exists()
    )


@pytest.mark.parametrize("threshold", [0, 1000])
def test_totals_move_the_same_through_copy_or_row_updates(
    coordinator_client, market, ordered, django_capture_on_commit_callbacks, monkeypatch, threshold
):
    from supply import consolidation

    monkeypatch.setattr(consolidation, "COPY_THRESHOLD", threshold)
    household, grouped = ordered

    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    for order_id in (household["id"], grouped["id"]):
        order = Order.objects.get(pk=order_id)
        lines = OrderLine.objects.filter(order=order)
        assert order.total_ttc == sum(item.line_ttc for item in lines)
        assert order.subsidy_total == sum(item.subsidy for item in lines)


def test_the_coordinator_confirms_early_with_missing_answers_counted_as_zero(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    path = f"/api/v1/cycles/{market.cycle.id}/confirm/"

    refused = coordinator_client.post(path)
    with django_capture_on_commit_callbacks(execute=True):
        forced = coordinator_client.post(path, {"missing_as_zero": True}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "confirmations_pending"
    assert forced.status_code == 202
    market.cycle.refresh_from_db()
    assert market.cycle.status == "confirmed"
    assert set(market.cycle.purchase_lists.values_list("status", flat=True)) == {"missed"}
    assert set(
        OrderLine.objects.filter(order__cycle=market.cycle).values_list(
            "confirmed_quantity", flat=True
        )
    ) == {Decimal("0")}


def test_irreversible_steps_say_what_they_do_before_they_run(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    from django.test import Client

    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    browser = Client()
    browser.force_login(world.coordinator)

    panel = browser.get(f"/coordination/cycles/{market.cycle.id}/").content.decode()

    # Two producers have not answered: the button says what confirming now does.
    assert "2 producteurs n'ont pas répondu : confirmer maintenant compte leurs listes" in panel
    assert 'name="missing_as_zero" value="1"' in panel
    assert '<script src="/static/js/confirm.js"></script>' in panel


def test_a_producer_who_supplies_nothing_is_not_partly_confirmed(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    lines = [{"offer": line.offer_id, "confirmed_quantity": "0"} for line in own.lines.all()]

    response = client_for(world.producer_user).post(
        f"/api/v1/purchase-lists/{own.id}/confirm/", {"lines": lines}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    own.refresh_from_db()
    assert own.get_status_display() == "Rien fourni"


def test_the_coordinator_records_an_answer_given_by_phone(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    from django.test import Client

    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    own = PurchaseList.objects.get(cycle=market.cycle, producer=world.producer)
    other = PurchaseList.objects.get(cycle=market.cycle, producer=world.other_producer)
    carrots = own.lines.get()

    api = coordinator_client.post(
        f"/api/v1/purchase-lists/{own.id}/confirm/",
        {"lines": [{"offer": carrots.offer_id, "confirmed_quantity": "60"}]},
        format="json",
    )
    screen = Client()
    screen.force_login(world.coordinator)
    panel = screen.get(f"/coordination/cycles/{market.cycle.id}/").content.decode()
    page = screen.get(f"/producteur/bons/{other.id}/").content.decode()
    posted = screen.post(f"/producteur/bons/{other.id}/", {})  # everything, as said by phone
    producer = Client()
    producer.force_login(world.producer_user)
    seen = producer.get(f"/producteur/bons/{own.id}/").content.decode()

    assert api.status_code == 200 and api.json()["on_behalf"] is True
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, own.on_behalf, own.answered_by) == ("partial", True, world.coordinator)
    assert f'href="/producteur/bons/{other.id}/">Réponse donnée par téléphone' in panel
    assert "réponse que" in page and "donnée par téléphone" in page
    assert posted.status_code == 302 and posted["Location"].endswith(
        f"/coordination/cycles/{market.cycle.id}/"
    )
    assert (other.status, other.on_behalf) == ("confirmed", True)
    assert "Réponse donnée par téléphone, saisie par" in seen


def test_the_packing_list_as_a_pdf_a_page_per_household(
    coordinator_client, confirmed, world, volunteer_client
):
    from django.test import Client

    response = volunteer_client.get(
        f"/api/v1/cycles/{confirmed.cycle.id}/packing-lists/", {"format": "pdf"}
    )
    home = Client()
    home.force_login(world.volunteer)

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Liste de colisage" in text
    assert "commande groupée" in text
    assert f"foyer {confirmed.household.reference}" in text
    assert len(reader.pages) == 2  # the grouped order, then the household's page
    assert "kilogrammes" in text
    assert f"/api/v1/cycles/{confirmed.cycle.id}/packing-lists/?format=pdf" in (
        home.get("/").content.decode()
    )


def test_the_coordinator_sees_an_open_cycle_s_orders_per_grocery_and_product(
    market, ordered, world
):
    from django.test import Client

    browser = Client()
    browser.force_login(world.coordinator)

    panel = browser.get(f"/coordination/cycles/{market.cycle.id}/").content.decode()

    assert "Commandes à ce jour, par épicerie" in panel
    assert world.grocery.name in panel
    # Carrots: 100 offered, 123 asked (3 for the household, 120 grouped): 23 short.
    assert "123 kilogrammes" in panel and "manque 23" in panel
