"""Orders paid from a caisse's credit (DESIGN.md §14), computed by hand.

Prices: carrots 2.00 € HT/kg, eggs 2.30 € HT each (both of the approved producer),
potatoes 1.10 € HT/kg (a producer the committee did not approve); VAT 5.5 %, rounded per line.
    A (member): 10 kg carrots 20.00 + 1.10 = 21.10; 6 eggs 13.80 + 0.76 = 14.56; 35.66 €
    B (member): 48 kg carrots 96.00 + 5.28 = 101.28 € > 100 € of credit: refused;
                40 kg 84.40 €, changed to 45 kg 90.00 + 4.95 = 94.95 €
    C (social tariff, T1): 3 kg carrots 6.00 + 0.33 = 6.33 €: pays 0.63, its funder 5.70
    the grocery: 20 kg carrots 40.00 + 2.20 = 42.20 €
"""

import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounting.fec import fec_check
from accounting.ledger import trial_balance
from accounting.models import JournalLine
from ssa import services
from ssa.models import Caisse, CreditMovement, Member
from tests import factories
from tests.accounting.conftest import dispatch_in_full, settle
from tests.ssa.helpers import join_by

NOW = timezone.now()


@pytest.fixture
def caisse(world, market, coordinator_client) -> Caisse:
    caisse = services.caisse_save(
        caisse=None,
        data={
            "name": "Caisse alimentaire de Fives",
            "contribution_min": D("1"),
            "contribution_max": D("150"),
            "allocation_per_member": D("100"),
            "quorum": 3,
            "funders": [world.funder],
            "social_services": [world.social_service],
            "committee": ["Aïcha B.", "Jean-Marc D.", "Louise P.", "Samir K."],
        },
    )
    # The committee approves the carrots' and eggs' producer (3 votes, the quorum) ...
    approve = coordinator_client.post(
        f"/api/v1/caisses/{caisse.id}/proposals/",
        {
            "subject_kind": "producer",
            "subject": world.producer.id,
            "text": "Maraîchage à moins de 20 km, sans pesticides de synthèse.",
            "opened_on": timezone.localdate().isoformat(),
            "closes_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        format="json",
    ).json()
    for voter, choice in (("Aïcha B.", "for"), ("Louise P.", "for"), ("Samir K.", "abstain")):
        vote = coordinator_client.post(
            f"/api/v1/proposals/{approve['id']}/votes/",
            {"voter": voter, "choice": choice},
            format="json",
        )
        assert vote.status_code == 201, vote.json()
    decided = coordinator_client.post(f"/api/v1/proposals/{approve['id']}/decide/")
    assert decided.json()["status"] == "approved"
    # ... and cannot decide on the potatoes' producer: two votes, below the quorum.
    other = coordinator_client.post(
        f"/api/v1/caisses/{caisse.id}/proposals/",
        {
            "subject_kind": "producer",
            "subject": world.other_producer.id,
            "text": "Pommes de terre de Phalempin.",
            "opened_on": timezone.localdate().isoformat(),
            "closes_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        format="json",
    ).json()
    for voter in ("Aïcha B.", "Jean-Marc D."):
        coordinator_client.post(
            f"/api/v1/proposals/{other['id']}/votes/",
            {"voter": voter, "choice": "for"},
            format="json",
        )
    below = coordinator_client.post(f"/api/v1/proposals/{other['id']}/decide/")
    assert below.status_code == 409 and below.json()["code"] == "quorum_not_reached"
    return caisse


def order(client, market, household, lines, payment="ssa"):
    carrots, eggs, potatoes = market.offers
    offers = {"carrots": carrots, "eggs": eggs, "potatoes": potatoes}
    return client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": household.id,
            "payment": payment,
            "lines": [{"offer": offers[name].id, "quantity": quantity} for name, quantity in lines],
        },
        format="json",
    )


def credit(client, caisse) -> dict[int, str]:
    rows = client.get(f"/api/v1/caisses/{caisse.id}/members/").json()["results"]
    return {row["household"]: row["balance"] for row in rows}


def test_a_cycle_mixing_social_tariff_and_caisse_orders_settles_to_a_zero_trial_balance(
    world,
    market,
    caisse,
    coordinator_client,
    volunteer_client,
    ccas_client,
    official_client,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    delivery_month = market.cycle.delivery_date.replace(day=1)
    eggs = market.offers[1].product
    eggs.is_organic = True
    eggs.save()
    a, b = (factories.enrol(world, funder=world.funder) for _ in range(2))
    c = market.household
    stranger = factories.enrol(world, funder=world.funder)  # not a member
    for household, contribution in ((a, D("20")), (b, D("50"))):
        join_by(world.ccas_staff, caisse, household, contribution)
    assert services.month_credit(caisse=caisse, month=delivery_month, now=NOW) == 2
    assert credit(ccas_client, caisse) == {a.id: "100.00", b.id: "100.00"}

    placed = order(volunteer_client, market, a, [("carrots", "10"), ("eggs", "6")])
    assert placed.status_code == 201, placed.json()
    assert placed.json()["payment"] == "ssa"
    assert placed.json()["total_ttc"] == "35.66"
    assert [line["subsidies"] for line in placed.json()["lines"]] == [[], []]

    # Refused, and nothing changes: a producer not approved, an order past the credit, a
    # household that is no member.
    not_approved = order(volunteer_client, market, b, [("carrots", "2"), ("potatoes", "5")])
    assert not_approved.status_code == 409
    assert not_approved.json()["code"] == "not_conventionne"
    assert "Pommes de terre" in not_approved.json()["message"]
    too_much = order(volunteer_client, market, b, [("carrots", "48")])
    assert too_much.status_code == 409 and too_much.json()["code"] == "ssa_credit_exhausted"
    assert "100,00" in too_much.json()["message"]
    nobody = order(volunteer_client, market, stranger, [("carrots", "1")])
    assert nobody.status_code == 409 and nobody.json()["code"] == "not_a_member"
    assert credit(ccas_client, caisse) == {a.id: "64.34", b.id: "100.00"}

    # B's order changes: its own spending is given back before the new total is checked.
    placed_b = order(volunteer_client, market, b, [("carrots", "40")])
    assert placed_b.json()["total_ttc"] == "84.40"
    changed = volunteer_client.patch(
        f"/api/v1/orders/{placed_b.json()['id']}/",
        {"lines": [{"offer": market.offers[0].id, "quantity": "45"}]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["total_ttc"] == "94.95"
    assert credit(ccas_client, caisse) == {a.id: "64.34", b.id: "5.05"}

    # A social-tariff order and a grouped order in the same cycle, as before.
    tariff = order(volunteer_client, market, c, [("carrots", "3")], payment="tariff")
    assert tariff.status_code == 201, tariff.json()
    assert (tariff.json()["beneficiary_total"], tariff.json()["subsidy_total"]) == ("0.63", "5.70")
    grouped = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": market.offers[0].id, "quantity": "20"}],
        },
        format="json",
    )
    assert grouped.status_code == 201

    # The members' contributions come in; the deficit is covered by the CCAS's grant.
    for household, amount, method in ((a, "20.00", "cash"), (b, "50.00", "transfer")):
        member = Member.objects.get(household=household)
        paid = coordinator_client.post(
            f"/api/v1/caisses/{caisse.id}/contributions/",
            {
                "member": member.id,
                "month": delivery_month.isoformat(),
                "amount": amount,
                "paid_on": timezone.localdate().isoformat(),
                "method": method,
            },
            format="json",
        )
        assert paid.status_code == 201, paid.json()
    grant = coordinator_client.post(
        f"/api/v1/caisses/{caisse.id}/grants/",
        {"funder": world.funder.id, "month": delivery_month.isoformat(), "amount": "130.00"},
        format="json",
    )
    assert grant.status_code == 201, grant.json()

    dispatch_in_full(coordinator_client, world, market.cycle, capture)
    assert coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/deliver/").status_code == 200
    task = settle(coordinator_client, market.cycle, capture)
    assert task["state"] == "SUCCESS", task

    summary = coordinator_client.get(f"/api/v1/cycles/{market.cycle.id}/settlement/").json()
    assert summary["balanced"] is True
    assert summary["caisses"] == [
        {"caisse": caisse.id, "name": caisse.name, "spending_ttc": "130.61"}
    ]
    # The producer is paid in full: every line, whoever paid it.
    # 21.10 + 94.95 + 6.33 + 42.20 carrots, 14.56 eggs.
    paid = {row["producer"]: row["amount_ttc"] for row in summary["producers"]}
    assert paid[world.producer.id] == "179.14"
    trial = trial_balance()
    assert trial["balanced"] and trial["total_debit"] == trial["total_credit"]
    accounts = {row["code"]: row for row in trial["accounts"]}
    # The members' credit: 200.00 credited, 130.61 spent; what remains is theirs.
    assert accounts[f"4191-C{caisse.id}"]["balance"] == D("-69.39")
    assert credit(ccas_client, caisse) == {a.id: "64.34", b.id: "5.05"}
    assert accounts[f"7561-C{caisse.id}"]["balance"] == D("-70.00")
    assert accounts[f"741-C{caisse.id}"]["balance"] == D("-130.00")
    assert JournalLine.objects.filter(account__code=f"6571-C{caisse.id}").count() == 1

    statement = coordinator_client.get(
        f"/api/v1/caisses/{caisse.id}/statement/", {"month": f"{delivery_month:%Y-%m}"}
    ).json()
    assert statement == {
        "caisse": caisse.id,
        "name": caisse.name,
        "month": f"{delivery_month:%Y-%m}",
        "members": 2,
        "contributions": "70.00",
        "contributing_members": 2,
        "allocations": "200.00",
        "expired": "0.00",
        "spending": "130.61",
        "spending_local": "130.61",
        "spending_organic": "14.56",
        "spending_pending": "0.00",
        "spending_by_producer": [
            {"producer": world.producer.id, "name": world.producer.name, "amount": "130.61"}
        ],
        "spending_by_kind": [
            {"category": "legumes", "name": "Légumes", "amount": "116.05"},
            {"category": "oeufs", "name": "Œufs", "amount": "14.56"},
        ],
        "deficit": "130.00",
        "grants": [{"funder": world.funder.id, "name": world.funder.name, "amount": "130.00"}],
        "grants_total": "130.00",
        "uncovered": "0.00",
    }
    # Officials: two members are fewer than five, so nothing but "<5" about this caisse.
    today = timezone.localdate()
    figures = official_client.get(
        "/api/v1/dashboards/caisses/",
        {"from": today.isoformat(), "to": (today + timedelta(days=30)).isoformat()},
    ).json()
    assert figures == [
        {
            "caisse": caisse.name,
            "members": "<5",
            **dict.fromkeys(
                ["bands", "spending", "local_share", "organic_share", "by_kind", "by_producer"]
            ),
        }
    ]
    # With five more members, the spending shows, by kind and by producer.
    for _ in range(3):
        join_by(
            world.ccas_staff,
            caisse,
            factories.enrol(world, funder=world.funder),
            D("30"),
            joined_on=today,
        )
    (row,) = official_client.get(
        "/api/v1/dashboards/caisses/",
        {"from": today.isoformat(), "to": (today + timedelta(days=30)).isoformat()},
    ).json()
    assert (row["members"], row["spending"], row["organic_share"]) == (5, "130.61", "0.111")
    assert row["by_kind"] == [
        {"name": "Légumes", "amount": "116.05"},
        {"name": "Œufs", "amount": "14.56"},
    ]
    assert row["by_producer"] == [{"name": world.producer.name, "amount": "130.61"}]

    # Printed, the same month for the committee and the funders: no household reference.
    printed = coordinator_client.get(
        f"/api/v1/caisses/{caisse.id}/statement/",
        {"month": f"{delivery_month:%Y-%m}", "format": "pdf"},
    )
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages
    ).replace("\u202f", " ")
    for figure in ("70,00 €", "200,00 €", "130,61 €", "14,56 €", "130,00 €"):
        assert figure in text, figure
    assert a.reference not in text and b.reference not in text

    # The legal export carries the caisse's accounts, and reads back as the ledger.
    year = timezone.now().year
    fec = coordinator_client.get("/api/v1/ledger/fec/", {"year": year})
    assert fec.status_code == 200
    text = b"".join(fec.streaming_content).decode("iso-8859-15")
    assert any(line.startswith("CA\tCaisses alimentaires\t") for line in text.splitlines())
    assert any(
        line.split("\t")[4:7] == ["4191", line.split("\t")[5], f"C{caisse.id}"]
        and line.split("\t")[5].startswith("Caisses alimentaires")
        for line in text.splitlines()
    )
    assert fec_check(year) == []
    assert set(CreditMovement.objects.filter(kind="spending").values_list("amount", flat=True)) == {
        D("-35.66"),
        D("-94.95"),
    }


def test_a_cancelled_caisse_order_gives_its_credit_back(
    world, market, caisse, volunteer_client, ccas_client
):
    member = join_by(world.ccas_staff, caisse, market.household, D("10"))
    services.month_credit(caisse=caisse, month=market.cycle.delivery_date, now=NOW)
    placed = order(volunteer_client, market, market.household, [("eggs", "6")])
    assert credit(ccas_client, caisse) == {market.household.id: "85.44"}
    assert volunteer_client.delete(f"/api/v1/orders/{placed.json()['id']}/").status_code in (
        200,
        204,
    )
    assert credit(ccas_client, caisse) == {market.household.id: "100.00"}
    assert member.movements.get(kind="spending").amount == D("0.00")


def test_the_statement_and_the_books_refuse_what_is_wrong(
    world, market, caisse, coordinator_client, ccas_client, volunteer_client
):
    member = join_by(
        world.ccas_staff, caisse, market.household, D("10"), joined_on=timezone.localdate()
    )
    url = f"/api/v1/caisses/{caisse.id}"
    for month in ("2026-13", "9999-12", "26-12", "2026-1"):
        answer = coordinator_client.get(f"{url}/statement/", {"month": month})
        assert answer.status_code == 400 and "month" in answer.json()["fields"], month
    assert coordinator_client.get(f"{url}/statement/").status_code == 400
    # The caisse's CCAS reads the statement; a grocery's volunteer does not.
    month = f"{timezone.localdate():%Y-%m}"
    assert ccas_client.get(f"{url}/statement/", {"month": month}).status_code == 200
    assert volunteer_client.get(f"{url}/statement/", {"month": month}).status_code in (403, 404)
    bad = [
        ({"member": member.id, "amount": "-5.00"}, "amount"),
        ({"member": member.id, "amount": "5.00", "month": "2020-01-01"}, "month"),
        ({"member": 999999, "amount": "5.00"}, "member"),
        ({"member": member.id, "amount": "5.00", "method": "bitcoin"}, "method"),
    ]
    for changes, field in bad:
        body = {
            "month": timezone.localdate().replace(day=1).isoformat(),
            "paid_on": timezone.localdate().isoformat(),
            "method": "cash",
            **changes,
        }
        answer = coordinator_client.post(f"{url}/contributions/", body, format="json")
        assert answer.status_code == 400, answer.json()
        assert field in answer.json()["fields"], answer.json()
    stranger = coordinator_client.post(
        f"{url}/grants/",
        {"funder": world.other_funder.id, "month": "2026-12-01", "amount": "10.00"},
        format="json",
    )
    assert stranger.status_code == 400 and "funder" in stranger.json()["fields"]
    assert JournalLine.objects.filter(account__caisse=caisse).count() == 0


def test_officials_see_caisses_as_aggregates_with_small_cells_hidden(
    world, caisse, official_client
):
    """Twelve members: bands 1–10 € (5), 11–30 € (1), 31–60 € (6): the band of one member is
    hidden, and the next smallest (5) with it, lest 12 − 6 − 5 give it away. A caisse of
    three members shows "<5" only."""
    small = services.caisse_save(
        caisse=None,
        data={
            "name": "Caisse de Lomme",
            "contribution_min": D("1"),
            "contribution_max": D("150"),
            "allocation_per_member": D("80"),
        },
    )
    for target, contributions in ((caisse, ["5"] * 5 + ["40"] * 6 + ["25"]), (small, "123")):
        for contribution in contributions:
            join_by(
                world.ccas_staff,
                target,
                factories.enrol(world, funder=world.funder),
                D(contribution),
                joined_on=timezone.localdate(),
            )
    today = timezone.localdate()
    answer = official_client.get(
        "/api/v1/dashboards/caisses/",
        {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()},
    )
    assert answer.status_code == 200, answer.json()
    rows = {row["caisse"]: row for row in answer.json()}
    assert rows["Caisse de Lomme"]["members"] == "<5"
    assert rows["Caisse de Lomme"]["bands"] is None
    assert rows["Caisse de Lomme"]["spending"] is None
    fives = rows[caisse.name]
    assert fives["members"] == 12
    assert fives["bands"] == [
        {"band": "1–10 €", "members": "<5"},
        {"band": "11–30 €", "members": "<5"},
        {"band": "31–60 €", "members": 6},
        {"band": "61–100 €", "members": 0},
        {"band": "> 100 €", "members": 0},
    ]
    assert fives["spending"] == "0.00" and fives["local_share"] is None
    # On paper for the council too, as hidden as on the screen.
    screen = Client()
    screen.force_login(world.official)
    printed = screen.get(
        "/tableau-de-bord/pdf/",
        {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()},
    )
    assert printed.status_code == 200, printed.content[:300]
    paper = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages
    ).replace("\n", " ")
    assert "Caisses alimentaires communes" in paper and "Caisse de Lomme" in paper
    assert "31–60€:6" in paper.replace(" ", ""), paper[-600:]  # the PDF text wraps
    # No household reference anywhere in what officials read.
    assert "HEL-" not in answer.content.decode() and "LIL-" not in answer.content.decode()


def test_repeating_a_caisse_order_is_paid_by_the_caisse_again(
    world, market, caisse, volunteer_client, ccas_client
):
    join_by(world.ccas_staff, caisse, market.household, D("10"))
    services.month_credit(caisse=caisse, month=market.cycle.delivery_date, now=NOW)
    placed = order(volunteer_client, market, market.household, [("eggs", "6")])  # 14.56 €
    next_cycle = factories.OrderCycleFactory(
        hub=world.hub,
        status="open",
        opens_at=NOW - timedelta(days=1),
        closes_at=NOW + timedelta(days=2),
        confirm_by=NOW + timedelta(days=3),
        delivery_date=market.cycle.delivery_date,
    )
    factories.OfferFactory(
        cycle=next_cycle, product=market.offers[1].product, unit_price_ht=D("2.30")
    )
    repeated = volunteer_client.post(
        f"/api/v1/orders/{placed.json()['id']}/repeat/", {"cycle": next_cycle.id}, format="json"
    )
    assert repeated.status_code == 201, repeated.json()
    assert (repeated.json()["payment"], repeated.json()["total_ttc"]) == ("ssa", "14.56")
    assert credit(ccas_client, caisse) == {market.household.id: "70.88"}  # 100 − 2 × 14.56
