"""A caisse alimentaire commune over three months (DESIGN.md §14), computed by hand: members
joining and leaving, the monthly credit (once), unspent credit expiring or carried over; the
committee's votes and quorum; and the CCAS's privacy rules for its households."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import HouseholdAccessLog
from ssa import selectors, services
from ssa.models import Caisse, CreditMovement, Member
from tests import factories
from tests.helpers import client_for
from tests.ssa.helpers import approve, join_by

NOW = timezone.now()


def month(offset: int) -> date:
    first = timezone.localdate().replace(day=1)
    for _ in range(offset):
        first = (first + timedelta(days=32)).replace(day=1)
    return first


@pytest.fixture
def caisse(world, coordinator_client) -> Caisse:
    answer = coordinator_client.post(
        "/api/v1/caisses/",
        {
            "name": "Caisse alimentaire de Lille-Sud",
            "contribution_min": "1.00",
            "contribution_max": "150.00",
            "allocation_per_member": "100.00",
            "quorum": 3,
            "funders": [world.funder.id],
            "social_services": [world.social_service.id],
            "committee": ["Aïcha B.", "Jean-Marc D.", "Louise P.", "Samir K."],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["committee"] == ["Aïcha B.", "Jean-Marc D.", "Louise P.", "Samir K."]
    return Caisse.objects.get(pk=answer.json()["id"])


def join(client, caisse, household, contribution, joined_on):
    return client.post(
        f"/api/v1/caisses/{caisse.id}/members/",
        {
            "household": household.id,
            "monthly_contribution": contribution,
            "joined_on": joined_on.isoformat(),
        },
        format="json",
    )


def balances(client, caisse) -> dict[int, str]:
    rows = client.get(f"/api/v1/caisses/{caisse.id}/members/").json()["results"]
    return {row["household"]: row["balance"] for row in rows}


def test_three_months_of_credit_joining_leaving_and_expiry(world, caisse, ccas_client):
    first, second = (factories.enrol(world, funder=world.funder) for _ in range(2))
    logged = HouseholdAccessLog.objects.count()
    assert join(ccas_client, caisse, first, "20.00", month(0)).status_code == 201
    # The second joins on the 15th: its first credit is the next month's.
    assert (
        join(ccas_client, caisse, second, "50.00", month(0) + timedelta(days=14)).status_code == 201
    )
    assert HouseholdAccessLog.objects.count() == logged + 2

    # Month 1: 100 € for the first only; a second run credits nobody again.
    assert services.month_credit(caisse=caisse, month=month(0), now=NOW) == 1
    assert services.month_credit(caisse=caisse, month=month(0), now=NOW) == 0
    member = Member.objects.get(household=first)
    # The first orders 14 kg of carrots delivered this month from its credit:
    # 28.00 + 1.54 VAT = 29.54 €; an order past what is left is refused.
    approve(caisse, producer=world.producer, on=month(0))
    cycle = factories.OrderCycleFactory(
        hub=world.hub,
        status="open",
        opens_at=NOW - timedelta(days=1),
        closes_at=NOW + timedelta(days=1),
        confirm_by=NOW + timedelta(days=2),
        delivery_date=month(0),
    )
    carrots = factories.OfferFactory(cycle=cycle, product=world.product)
    volunteer = client_for(world.volunteer)

    def ssa_order(household, kilos):
        return volunteer.post(
            "/api/v1/orders/",
            {
                "cycle": cycle.id,
                "household": household.id,
                "payment": "ssa",
                "lines": [{"offer": carrots.id, "quantity": kilos}],
            },
            format="json",
        )

    assert ssa_order(first, "14").json()["total_ttc"] == "29.54"
    refused = ssa_order(second, "1")  # it joins on the 15th, after this delivery
    assert refused.status_code == 409 and refused.json()["code"] == "not_a_member"
    assert balances(ccas_client, caisse) == {first.id: "70.46", second.id: "0.00"}

    # Month 2: the first's 70.46 € unspent expire, 100 € each.
    assert services.month_credit(caisse=caisse, month=month(1), now=NOW) == 2
    assert balances(ccas_client, caisse) == {first.id: "100.00", second.id: "100.00"}
    # The second leaves on the 10th: its credit closes with it.
    leaving = Member.objects.get(household=second)
    answer = ccas_client.patch(
        f"/api/v1/caisses/{caisse.id}/members/{leaving.id}/",
        {"left_on": (month(1) + timedelta(days=9)).isoformat()},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["balance"] == "0.00"

    # Month 3: only the first, 100 € again (its 100 € unspent expired).
    assert services.month_credit(caisse=caisse, month=month(2), now=NOW) == 1
    assert balances(ccas_client, caisse) == {first.id: "100.00", second.id: "0.00"}
    kinds = list(
        CreditMovement.objects.filter(member=member).values_list("month", "kind", "amount")
    )
    assert kinds == [
        (month(0), "allocation", D("100.00")),
        (month(0), "spending", D("-29.54")),
        (month(1), "expiry", D("-70.46")),
        (month(1), "allocation", D("100.00")),
        (month(2), "expiry", D("-100.00")),
        (month(2), "allocation", D("100.00")),
    ]
    # Coming back is a new membership: the history of the first stays.
    back = join(ccas_client, caisse, second, "30.00", month(2) + timedelta(days=3))
    assert back.status_code == 201
    assert Member.objects.filter(household=second).count() == 2


def test_per_person_allocation_carried_over(world, coordinator_client, ccas_client):
    caisse = services.caisse_save(
        caisse=None,
        data={
            "name": "Caisse d'Hellemmes",
            "contribution_min": D("5"),
            "contribution_max": D("80"),
            "allocation_per_member": D("40"),
            "allocation_basis": "person",
            "carry_over": True,
            "social_services": [world.social_service],
        },
    )
    family = factories.enrol(world, funder=world.funder, adults=2, children=1)
    assert join(ccas_client, caisse, family, "10.00", month(0)).status_code == 201

    for offset in range(3):
        services.month_credit(caisse=caisse, month=month(offset), now=NOW)

    assert balances(ccas_client, caisse) == {family.id: "360.00"}  # 3 × 40 € × 3 months


def test_a_contribution_outside_the_range_and_an_expired_household_are_refused(
    world, caisse, ccas_client
):
    household = factories.enrol(world, funder=world.funder)

    too_much = join(ccas_client, caisse, household, "151.00", month(0))
    expired = join(ccas_client, caisse, household, "10.00", household.valid_until + timedelta(1))

    assert too_much.status_code == 400
    assert "comprise entre 1.00 € et 150.00 €" in too_much.json()["message"]
    assert expired.status_code == 409 and expired.json()["code"] == "household_expired"
    assert not Member.objects.exists()


def test_a_ccas_sees_and_enrols_its_own_households_only(world, caisse, ccas_client):
    household = factories.enrol(world, funder=world.funder)
    assert join(ccas_client, caisse, household, "10.00", month(0)).status_code == 201
    other = client_for(world.other_ccas_staff)
    # Not its caisse: not found; and no household of another CCAS can be named.
    assert other.get(f"/api/v1/caisses/{caisse.id}/members/").status_code == 404
    caisse.social_services.add(world.other_social_service)
    assert other.get(f"/api/v1/caisses/{caisse.id}/members/").json()["results"] == []
    refused = join(other, caisse, household, "10.00", month(0))
    assert refused.status_code == 400 and "household" in refused.json()["fields"]
    assert client_for(world.volunteer).get("/api/v1/caisses/").status_code == 403


def test_the_committee_decides_with_its_quorum(world, caisse, coordinator_client):
    def propose(kind, subject):
        answer = coordinator_client.post(
            f"/api/v1/caisses/{caisse.id}/proposals/",
            {
                "subject_kind": kind,
                "subject": subject,
                "text": "Maraîchage bio à moins de 30 km, prix rémunérateur.",
                "opened_on": month(0).isoformat(),
                "closes_on": (month(0) + timedelta(days=20)).isoformat(),
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        return answer.json()["id"]

    def vote(proposal, voter, choice):
        return coordinator_client.post(
            f"/api/v1/proposals/{proposal}/votes/",
            {"voter": voter, "choice": choice},
            format="json",
        )

    producer = propose("producer", world.producer.id)
    product = propose("product", world.other_product.id)
    assert vote(producer, "Aïcha B.", "for").status_code == 201
    assert vote(producer, "Samir K.", "for").status_code == 201
    assert vote(producer, "Inconnu", "for").status_code == 400  # not on the register

    # Two votes of the three the quorum needs: no decision.
    early = coordinator_client.post(f"/api/v1/proposals/{producer}/decide/")
    assert early.status_code == 409 and early.json()["code"] == "quorum_not_reached"
    assert vote(producer, "Louise P.", "against").status_code == 201
    decided = coordinator_client.post(f"/api/v1/proposals/{producer}/decide/").json()
    assert decided["status"] == "approved" and decided["decided_on"]
    assert vote(producer, "Jean-Marc D.", "for").status_code == 409  # decided already

    for voter, choice in [("Aïcha B.", "for"), ("Samir K.", "against"), ("Louise P.", "abstain")]:
        vote(product, voter, choice)
    assert coordinator_client.post(f"/api/v1/proposals/{product}/decide/").json()["status"] == (
        "refused"  # as many against as for
    )

    approved = selectors.approved(caisse)
    assert approved.covers(world.product) and not approved.covers(world.other_product)


def test_the_approved_are_published_without_login_nor_personal_data(world, caisse):
    household = factories.enrol(world, funder=world.funder)
    join_by(world.ccas_staff, caisse, household, D("10"), joined_on=month(0))
    proposal = services.proposal_open(
        caisse=caisse,
        subject_kind="producer",
        subject=world.producer.id,
        text="Agriculture biologique, à 25 km.",
        opened_on=month(0),
        closes_on=month(0) + timedelta(days=10),
    )
    for voter in ("Aïcha B.", "Samir K.", "Louise P."):
        services.vote_record(proposal=proposal, voter=voter, choice="for")
    services.proposal_decide(proposal=proposal, today=month(0) + timedelta(days=10))

    page = Client().get(f"/caisses/{caisse.id}/conventionnes/").content.decode()

    assert world.producer.name in page and "Agriculture biologique, à 25 km." in page
    assert household.reference not in page and "Aïcha" not in page


def test_a_month_of_a_caisse_through_the_coordinator_s_screens(world):
    screen = Client()
    screen.force_login(world.coordinator)

    created = screen.post(
        "/coordination/caisses/",
        {
            "name": "Caisse de Fives",
            "contribution_min": "1",
            "contribution_max": "150",
            "allocation_per_member": "100",
            "allocation_basis": "member",
            "quorum": "2",
        },
        follow=True,
    )
    caisse = Caisse.objects.get(name="Caisse de Fives")
    assert "« Caisse de Fives » créée." in created.content.decode()
    page = f"/coordination/caisses/{caisse.id}/"
    screen.post(page, {"committee": "Aïcha B.\nSamir K.\n"})
    caisse.social_services.add(world.social_service)
    household = factories.enrol(world, funder=world.funder)
    join_by(world.ccas_staff, caisse, household, D("15"), joined_on=month(0))

    credited = screen.post(page, {"credit": "1"}, follow=True).content.decode()
    screen.post(page, {"credit": "1"})  # nothing twice
    screen.post(page, {"propose": "1", "producer": world.producer.id, "text": "Bio, 20 km."})
    proposal = caisse.proposals.get()
    for voter in ("Aïcha B.", "Samir K."):
        screen.post(page, {"vote": "1", "proposal": proposal.id, "voter": voter, "choice": "for"})
    decided = screen.post(page, {"decide": "1", "proposal": proposal.id}, follow=True)

    assert "Membres crédités pour ce mois : 1." in credited
    assert CreditMovement.objects.filter(member__caisse=caisse, kind="allocation").count() == 1
    text = decided.content.decode()
    assert "Décision enregistrée : approuvée." in text and household.reference in text
    assert "100,00 €" in text
    assert Client().get(page).status_code == 302  # the coordinator's alone


def test_the_month_credited_is_told_once_to_the_coordinator_and_the_caisse_s_ccas(
    world, caisse, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    for contribution in ("20.00", "50.00"):
        join_by(
            world.ccas_staff,
            caisse,
            factories.enrol(world, funder=world.funder),
            D(contribution),
            joined_on=month(0),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.month_credit(caisse=caisse, month=month(0), now=NOW)
        services.month_credit(caisse=caisse, month=month(0), now=NOW)
    told = Notification.objects.filter(kind="caisse_month")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [world.coordinator.username, world.ccas_staff.username]
    )
    # 200 € credited, nothing contributed yet: all of it is left for the grants.
    message = told.get(recipient=world.coordinator)
    assert "2 membres crédités" in message.summary and "200,00 €" in message.summary
    assert "200,00 €" in message.context["paragraphs"][1]
