"""The caisse through the screens: a volunteer orders for a member from its credit, its
CCAS enrols it and records its leaving, the coordinator records contributions and grants
and reads the month."""

import html
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from accounting.models import JournalLine
from orders.models import HouseholdAccessLog, Order
from ssa import services
from ssa.models import Caisse, Contribution, Grant, Member
from tests import factories
from tests.helpers import client_for
from tests.ssa.helpers import approve, join_by

NOW = timezone.now()


def screen_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def caisse(world) -> Caisse:
    caisse = services.caisse_save(
        caisse=None,
        data={
            "name": "Caisse de Fives",
            "contribution_min": D("1"),
            "contribution_max": D("150"),
            "allocation_per_member": D("100"),
            "quorum": 1,
            "funders": [world.funder],
            "social_services": [world.social_service],
            "committee": ["Aïcha B."],
        },
    )
    approve(caisse, producer=world.producer)
    return caisse


def test_the_ccas_enrols_from_the_household_page_and_records_the_leaving(world, market, caisse):
    ccas = screen_for(world.ccas_staff)
    page = f"/ccas/foyers/{market.household.id}/"
    today = timezone.localdate().isoformat()
    logged = HouseholdAccessLog.objects.count()

    refused = ccas.post(
        page,
        {"join": "1", "caisse": caisse.id, "monthly_contribution": "200", "on": today},
        follow=True,
    ).content.decode()
    assert "entre 1,00 € et 150,00 €" in refused or "entre 1.00 € et 150.00 €" in refused
    assert not Member.objects.exists()

    joined = ccas.post(
        page,
        {"join": "1", "caisse": caisse.id, "monthly_contribution": "12,50", "on": today},
        follow=True,
    ).content.decode()
    assert "Le foyer est membre de « Caisse de Fives »." in joined
    member = Member.objects.get()
    assert member.monthly_contribution == D("12.50")
    again = ccas.post(
        page,
        {"join": "1", "caisse": caisse.id, "monthly_contribution": "10", "on": today},
        follow=True,
    ).content.decode()
    assert "déjà" in again and Member.objects.count() == 1

    left = ccas.post(page, {"leave": "1", "member": member.id, "on": today}, follow=True)
    assert "Le foyer quitte « Caisse de Fives »." in left.content.decode()
    member.refresh_from_db()
    assert member.left_on == timezone.localdate()
    assert HouseholdAccessLog.objects.count() > logged
    # Another CCAS's staff cannot reach this household's page at all.
    assert screen_for(world.other_ccas_staff).get(page).status_code == 404


def test_a_volunteer_orders_for_a_member_from_its_credit(world, market, caisse):
    household = market.household
    join_by(world.ccas_staff, caisse, household, D("10"))
    services.month_credit(caisse=caisse, month=market.cycle.delivery_date, now=NOW)
    volunteer = screen_for(world.volunteer)
    page = f"/epicerie/cycles/{market.cycle.id}/foyers/"
    chosen = volunteer.get(page, {"foyer": household.id}).content.decode()
    assert "crédit <strong>100,00 €</strong>" in chosen
    assert "paiement=caisse" in chosen
    carrots, _eggs, potatoes = market.offers
    listed = volunteer.get(page, {"foyer": household.id, "paiement": "caisse"}).content.decode()
    assert f'name="q-{carrots.id}"' in listed and f'name="q-{potatoes.id}"' not in listed
    assert "seul ce que le comité de la caisse a conventionné" in html.unescape(listed)

    # The potatoes' producer is not approved: refused, nothing placed.
    refused = volunteer.post(
        f"{page}?paiement=caisse",
        {"household": household.id, "paiement": "caisse", f"q-{potatoes.id}": "5"},
        follow=True,
    ).content.decode()
    assert "Non conventionné" in refused and "Pommes de terre" in refused
    assert not Order.objects.filter(household=household).exists()

    # 10 kg of carrots, 21.10 €, from the credit: the household's cap is not touched.
    saved = volunteer.post(
        f"{page}?paiement=caisse",
        {"household": household.id, "paiement": "caisse", f"q-{carrots.id}": "10"},
        follow=True,
    ).content.decode()
    assert "21,10 €, payés sur son crédit" in saved
    order = Order.objects.get(household=household)
    assert order.payment == "ssa" and order.beneficiary_total == D("0.00")
    again = volunteer.get(page, {"foyer": household.id}).content.decode()
    assert "crédit <strong>78,90 €</strong>" in again
    assert "Cette commande est payée sur le crédit" in again

    # Changed past the credit: refused with the credit in words, the order as it was.
    too_much = volunteer.post(
        page, {"household": household.id, f"q-{carrots.id}": "50"}, follow=True
    ).content.decode()
    assert "ne peut pas payer cette commande" in too_much
    order.refresh_from_db()
    assert order.total_ttc == D("21.10")


def test_the_coordinator_records_contributions_and_grants_and_reads_the_month(
    world, market, caisse
):
    member = join_by(world.ccas_staff, caisse, market.household, D("15"))
    services.month_credit(caisse=caisse, month=timezone.localdate(), now=NOW)
    coordinator = screen_for(world.coordinator)
    month = f"{timezone.localdate():%Y-%m}"
    page = f"/coordination/caisses/{caisse.id}/?mois={month}"

    huge = coordinator.post(
        page, {"contribution": "1", "member": member.id, "amount": "9999999999", "method": "cash"},
        follow=True,
    ).content.decode()  # fmt: skip
    shown = re.findall(r'class="message [a-z]+">([^<]*)<', huge)
    assert any("de 10000,00 € au plus" in text for text in shown), shown
    for typed in ("quinze", "NaN", "1e400", "１５", "15,001"):
        bad = coordinator.post(
            page, {"contribution": "1", "member": member.id, "amount": typed, "method": "cash"},
            follow=True,
        ).content.decode()  # fmt: skip
        assert "Saisissez un montant en euros" in bad, typed
    odd = coordinator.post(
        page, {"contribution": "1", "member": member.id, "amount": "15", "method": "bitcoin"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Indiquez comment la cotisation a été payée." in html.unescape(odd)
    statement = coordinator.get(f"/coordination/caisses/{caisse.id}/", {"mois": "9999-12"})
    assert statement.status_code == 200  # an impossible month shows this month's
    assert not Contribution.objects.exists()
    paid = coordinator.post(
        page, {"contribution": "1", "member": member.id, "amount": "15,00", "method": "cash"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Cotisation de 15,00 € enregistrée" in paid
    granted = coordinator.post(
        page, {"grant": "1", "funder": world.funder.id, "amount": "85,00"}, follow=True
    ).content.decode()
    assert "Subvention de 85,00 € enregistrée" in granted
    assert Grant.objects.get().month == timezone.localdate().replace(day=1)
    # The statement: 100 credited, 15 contributed, 85 of deficit, covered.
    assert "Déficit restant à couvrir" in granted
    text = " ".join(granted.split())
    for figure in ("100,00 €", "15,00 €", "85,00 €", "0,00 €"):
        assert figure in text
    # On the caisse's accounts: allocations and members' credit, contributions, grants (the
    # other sides are the bank's and the funder's).
    lines = JournalLine.objects.filter(account__caisse=caisse)
    assert sorted(lines.values_list("account__code", "debit", "credit")) == [
        (f"4191-C{caisse.id}", D("0.00"), D("100.00")),
        (f"6571-C{caisse.id}", D("100.00"), D("0.00")),
        (f"741-C{caisse.id}", D("0.00"), D("85.00")),
        (f"7561-C{caisse.id}", D("0.00"), D("15.00")),
    ]
    assert screen_for(world.volunteer).get(page).status_code in (302, 403)


def test_the_caisse_registers_a_household_by_its_reference(world, market, caisse):
    coordinator = screen_for(world.coordinator)
    page = f"/coordination/caisses/{caisse.id}/"
    unknown = coordinator.post(
        page,
        {"register": "1", "reference": "LIL-1999-0001", "monthly_contribution": "5"},
        follow=True,
    ).content.decode()
    assert "Aucun foyer n'a la référence « LIL-1999-0001 »." in html.unescape(unknown)
    registered = coordinator.post(
        page,
        {
            "register": "1",
            "reference": market.household.reference.lower(),
            "monthly_contribution": "7,50",
        },
        follow=True,
    ).content.decode()
    assert f"{market.household.reference} est membre de la caisse." in registered
    assert Member.objects.get().monthly_contribution == D("7.50")


def test_a_contribution_recorded_by_mistake_is_cancelled_by_a_reversal(world, market, caisse):
    member = join_by(world.ccas_staff, caisse, market.household, D("15"))
    coordinator = screen_for(world.coordinator)
    page = f"/coordination/caisses/{caisse.id}/"
    coordinator.post(
        page, {"contribution": "1", "member": member.id, "amount": "150", "method": "cash"}
    )  # 150 typed for 15
    wrong = Contribution.objects.get()
    answer = coordinator.post(
        page, {"cancel_contribution": "1", "contribution_id": wrong.id, "reason": " "}, follow=True
    )
    assert answer.status_code == 200, answer.content.decode()[-1500:]
    without_reason = answer.content.decode()
    assert "Indiquez pourquoi l'écriture est contre-passée." in html.unescape(without_reason)
    cancelled = coordinator.post(
        page,
        {"cancel_contribution": "1", "contribution_id": wrong.id, "reason": "150 saisi pour 15"},
        follow=True,
    ).content.decode()
    assert "Cotisation annulée" in cancelled
    coordinator.post(
        page, {"contribution": "1", "member": member.id, "amount": "15", "method": "cash"}
    )
    month = f"{timezone.localdate():%Y-%m}"
    statement = (
        client_for(world.coordinator)
        .get(f"/api/v1/caisses/{caisse.id}/statement/", {"month": month})
        .json()
    )
    assert (statement["contributions"], statement["contributing_members"]) == ("15.00", 1)
    # The books: 150 in, 150 out by the reversal, 15 in; the contribution rows all stay.
    lines = JournalLine.objects.filter(account__code=f"7561-C{caisse.id}")
    assert sorted(lines.values_list("debit", "credit")) == [
        (D("0.00"), D("15.00")),
        (D("0.00"), D("150.00")),
        (D("150.00"), D("0.00")),
    ]
    listed = client_for(world.coordinator).get(f"/api/v1/caisses/{caisse.id}/contributions/")
    assert [(row["amount"], row["reversed"]) for row in listed.json()["results"]] == [
        ("150.00", True),
        ("15.00", False),
    ]
    again = client_for(world.coordinator).post(
        f"/api/v1/caisses/{caisse.id}/contributions/{wrong.id}/reverse/",
        {"reason": "encore"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "entry_already_reversed"


def test_a_ccas_follows_its_own_members_of_its_caisses(world, market, caisse):
    own = join_by(world.ccas_staff, caisse, market.household, D("12"))
    # Another CCAS's household in the same caisse: counted, never listed to this CCAS.
    caisse.social_services.add(world.other_social_service)
    other = factories.enrol(world, funder=world.funder)
    other.social_service = world.other_social_service
    other.save(update_fields=["social_service"])
    join_by(world.coordinator, caisse, other, D("30"))
    services.month_credit(caisse=caisse, month=timezone.localdate(), now=NOW)
    page = screen_for(world.ccas_staff).get("/ccas/caisses/").content.decode()
    text = " ".join(page.split())
    assert "Caisse de Fives" in text and own.household.reference in text
    assert other.reference not in text
    assert "2 membres" in text and "200,00 € d'allocations" in html.unescape(text)
    assert screen_for(world.volunteer).get("/ccas/caisses/").status_code in (302, 403)
