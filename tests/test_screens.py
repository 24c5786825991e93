"""The screens of every role: who may open them, what they refuse, and that a refusal
changes nothing. The browser walk of a whole cycle is in tests/browser/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from core.choices import Role
from core.templatetags.appro import percent, plain
from orders.choices import AccessAction
from orders.models import Household, HouseholdAccessLog, Order
from producers.models import Offer
from supply.choices import CycleStatus
from tests import factories
from tests.helpers import enrolment_form

ROLES = [None, *Role.values]


def browser_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _screens(world, market):
    cycle = market.cycle.id
    return [
        ("/", ROLES[1:]),
        ("/coordination/cycles/", [Role.COORDINATOR]),
        (f"/coordination/cycles/{cycle}/", [Role.COORDINATOR]),
        (f"/epicerie/cycles/{cycle}/commande/", [Role.GROCERY_VOLUNTEER]),
        (f"/epicerie/cycles/{cycle}/foyers/", [Role.GROCERY_VOLUNTEER]),
        (f"/epicerie/cycles/{cycle}/reception/", [Role.GROCERY_VOLUNTEER]),
        ("/producteur/catalogue/", [Role.PRODUCER]),
        (f"/producteur/cycles/{cycle}/offres/", [Role.PRODUCER]),
        ("/producteur/bons/", [Role.PRODUCER]),
        # The coordinator opens it to type an answer given by phone.
        (f"/producteur/bons/{world.purchase_list.id}/", [Role.PRODUCER, Role.COORDINATOR]),
        ("/ccas/foyers/", [Role.CCAS_STAFF]),
        ("/ccas/foyers/nouveau/", [Role.CCAS_STAFF]),
        (f"/ccas/foyers/{market.household.id}/", [Role.CCAS_STAFF]),
        ("/ccas/journal/", [Role.CCAS_STAFF]),
        ("/ccas/financement/", [Role.CCAS_STAFF]),
        ("/tableau-de-bord/", [Role.OFFICIAL, Role.COORDINATOR]),
        ("/coordination/calendrier/", [Role.COORDINATOR]),
        ("/contrats/", [Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER]),
        ("/coordination/envois/", [Role.COORDINATOR]),
        ("/coordination/personnes/", [Role.COORDINATOR]),
        ("/coordination/paiements/", [Role.COORDINATOR]),
        ("/coordination/banque/", [Role.COORDINATOR]),
        ("/factures/", [Role.PRODUCER, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF]),
        ("/nouveautes/", ROLES[1:]),
        ("/compte/messages/", ROLES[1:]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_screen_opens_for_its_roles_only(world, market, role):
    client = browser_for(world.user(role))
    for path, allowed in _screens(world, market):
        response = client.get(path)
        if role is None:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/connexion/"), path
        else:
            assert response.status_code == (200 if role in allowed else 403), (path, role)


def test_screens_are_in_french(world, market):
    page = browser_for(world.volunteer).get(f"/epicerie/cycles/{market.cycle.id}/commande/")
    text = page.content.decode()
    assert '<html lang="fr">' in text
    assert "Commande groupée" in text and "Enregistrer la commande" in text
    assert "Grouped order" not in text


def test_pack_sizes_are_said_with_the_unit_in_french_plural(world, market):
    page = browser_for(world.volunteer).get(f"/epicerie/cycles/{market.cycle.id}/commande/")

    text = page.content.decode()
    assert "par 2,5 kilogrammes" in text  # the potatoes, sold by 2.5 kg
    assert "par 1 pièce" in text and "par 1 kilogramme" in text


# --- Volunteers ---------------------------------------------------------------------------


def test_a_grouped_order_is_saved_changed_and_cancelled(world, market):
    client = browser_for(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/commande/"
    carrots, eggs = market.offers[0], market.offers[1]

    response = client.post(path, {f"q-{carrots.id}": "10", f"q-{eggs.id}": ""}, follow=True)

    order = Order.objects.get(grocery=world.grocery, cycle=market.cycle)
    assert order.total_ttc == Decimal("21.10")  # 10 × 2.00 = 20.00 + 1.10 VAT
    assert "Commande groupée enregistrée : 21,10 € TTC." in response.content.decode()
    client.post(path, {f"q-{carrots.id}": "5", f"q-{eggs.id}": "2"})
    order.refresh_from_db()
    assert [(line.offer_id, line.quantity) for line in order.lines.order_by("offer_id")] == [
        (carrots.id, Decimal("5.000")),
        (eggs.id, Decimal("2.000")),
    ]
    client.post(path, {"cancel": "1"})
    order.refresh_from_db()
    assert order.status == "cancelled"


@pytest.mark.parametrize(
    "value, message",
    [
        ("-3", "Une quantité ne peut pas être négative."),
        ("abc", "« abc » n&#x27;est pas une quantité."),
        ("1e9", "Une quantité a au plus 6 chiffres et 3 décimales."),
        ("0.0001", "Une quantité a au plus 6 chiffres et 3 décimales."),
        ("2.5", "multiple"),  # carrots come by 1 kg
    ],
)
def test_a_bad_quantity_is_refused_and_the_order_stays_as_it_was(world, market, value, message):
    client = browser_for(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/commande/"
    carrots = market.offers[0]
    client.post(path, {f"q-{carrots.id}": "4"})
    order = Order.objects.get(grocery=world.grocery, cycle=market.cycle)

    response = client.post(path, {f"q-{carrots.id}": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'value="{value}"' in response.content.decode()  # what was typed is shown again
    order.refresh_from_db()
    assert [line.quantity for line in order.lines.all()] == [Decimal("4.000")]
    assert order.total_ttc == Decimal("8.44")


def test_an_offer_of_another_cycle_is_refused(world, market):
    client = browser_for(world.volunteer)
    response = client.post(
        f"/epicerie/cycles/{market.cycle.id}/commande/", {f"q-{world.open_offer.id}": "1"}
    )
    assert "Cette ligne n&#x27;est pas proposée ici." in response.content.decode()
    assert not Order.objects.filter(grocery=world.grocery).exists()


def test_a_closed_cycle_takes_no_order_from_the_screen(world, market):
    market.cycle.status = CycleStatus.CLOSED
    market.cycle.save()
    client = browser_for(world.volunteer)
    response = client.post(
        f"/epicerie/cycles/{market.cycle.id}/commande/", {f"q-{market.offers[0].id}": "3"}
    )
    assert response.status_code == 200
    assert "les commandes ne peuvent plus changer" in response.content.decode()
    assert not Order.objects.exists()


def test_a_household_order_past_the_cap_is_refused_then_a_smaller_one_is_taken(world, market):
    client = browser_for(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/foyers/"
    household, carrots = market.household, market.offers[0]  # 2 persons: a 30 € cap

    refused = client.post(path, {"household": household.id, f"q-{carrots.id}": "15"})

    assert "dépasserait le plafond mensuel" in refused.content.decode()
    assert not Order.objects.filter(household=household).exists()
    accepted = client.post(path, {"household": household.id, f"q-{carrots.id}": "3"}, follow=True)
    order = Order.objects.get(household=household)
    assert (order.total_ttc, order.beneficiary_total) == (Decimal("6.33"), Decimal("0.63"))
    assert "dont 0,63 € payés par le foyer" in accepted.content.decode()


def test_a_volunteer_cannot_order_for_a_household_of_another_grocery(world, market):
    stranger = factories.enrol(world, funder=market.funder, grocery=world.other_grocery)
    client = browser_for(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/foyers/"

    response = client.post(path, {"household": stranger.id, f"q-{market.offers[0].id}": "1"})

    assert "Ce foyer ne retire pas à votre épicerie." in response.content.decode()
    assert stranger.reference not in response.content.decode()
    assert not Order.objects.exists()


def test_the_volunteer_screens_show_no_social_data(world, market):
    market.household.contact_name = "Mme Dupont"
    market.household.save()
    page = browser_for(world.volunteer).get(
        f"/epicerie/cycles/{market.cycle.id}/foyers/?foyer={market.household.id}"
    )
    assert market.household.reference in page.content.decode()
    assert "Dupont" not in page.content.decode()
    assert not HouseholdAccessLog.objects.filter(action=AccessAction.READ).exists()


def test_a_reception_above_what_was_confirmed_is_refused(world, confirmed, ordered):
    client = browser_for(world.volunteer)
    line = Order.objects.get(grocery=world.grocery, cycle=confirmed.cycle).lines.first()
    path = f"/epicerie/cycles/{confirmed.cycle.id}/reception/"

    response = client.post(path, {f"r-{line.id}": "1000"})

    assert "Plus que les" in response.content.decode()
    line.refresh_from_db()
    assert line.received_quantity is None
    client.post(path, {f"r-{line.id}": "1"})
    line.refresh_from_db()
    assert line.received_quantity == Decimal("1.000")


# --- Producers ----------------------------------------------------------------------------


def test_a_producer_saves_its_offers_for_a_draft_cycle(world):
    client = browser_for(world.producer_user)
    path = f"/producteur/cycles/{world.draft_cycle.id}/offres/"

    client.post(path, {f"q-{world.product.id}": "25", f"p-{world.product.id}": "2,40"})

    offer = Offer.objects.get(cycle=world.draft_cycle, product=world.product)
    assert (offer.quantity_available, offer.unit_price_ht) == (Decimal("25.000"), Decimal("2.40"))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"q": "-1"}, "Une quantité ne peut pas être négative."),
        ({"q": "5", "p": "deux"}, "« deux » n&#x27;est pas un prix."),
        ({"q": "5", "p": "-2"}, "Un prix est positif, en euros et centimes."),
    ],
)
def test_bad_offers_are_refused_and_nothing_is_saved(world, fields, message):
    client = browser_for(world.producer_user)
    data = {f"{key}-{world.product.id}": value for key, value in fields.items()}
    response = client.post(f"/producteur/cycles/{world.draft_cycle.id}/offres/", data)
    assert message in response.content.decode()
    assert not Offer.objects.filter(cycle=world.draft_cycle).exists()


def test_a_producer_cannot_offer_another_producers_product(world):
    client = browser_for(world.producer_user)
    client.post(
        f"/producteur/cycles/{world.draft_cycle.id}/offres/", {f"q-{world.other_product.id}": "5"}
    )
    assert not Offer.objects.filter(cycle=world.draft_cycle).exists()


def test_another_producers_purchase_list_is_not_found(world):
    client = browser_for(world.producer_user)
    assert client.get(f"/producteur/bons/{world.other_purchase_list.id}/").status_code == 404


def test_a_product_added_from_the_catalogue_screen(world):
    client = browser_for(world.producer_user)
    data = {
        "add": "1",
        "name": "Panais",
        "category": "legumes",
        "unit": "kg",
        "unit_weight_kg": "1",
        "pack_size": "1",
        "unit_price_ht": "2,10",
        "vat_percent": "5,5",  # typed as people read it
    }
    refused = client.post("/producteur/catalogue/", {**data, "pack_size": "0"})
    assert "supérieure ou égale à 0.001" in refused.content.decode()
    assert not world.producer.products.filter(name="Panais").exists()
    client.post("/producteur/catalogue/", data)
    panais = world.producer.products.get(name="Panais")
    assert (panais.unit_price_ht, panais.vat_rate) == (Decimal("2.10"), Decimal("0.0550"))


def test_a_producer_changes_a_product_from_the_catalogue_screen(world):
    client = browser_for(world.producer_user)
    product = world.product
    form = client.get("/producteur/catalogue/", {"modifier": product.id}).content.decode()

    saved = client.post(
        "/producteur/catalogue/",
        {
            "save": "1",
            "product": product.id,
            "name": "Carottes des sables",
            "category": product.category,
            "unit": product.unit,
            "unit_weight_kg": "1",
            "pack_size": "1",
            "unit_price_ht": "2,35",
            "vat_percent": "5,5",
        },
    )
    other = client.get(
        "/producteur/catalogue/",
        {
            "modifier": world.other_producer.products.create(
                name="Autre",
                category="legumes",
                unit="kg",
                unit_weight_kg=1,
                pack_size=1,
                unit_price_ht=1,
                vat_rate=Decimal("0.055"),
            ).id
        },
    )

    assert f'value="{product.name}"' in form and 'value="5,5"' in form
    assert saved.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.unit_price_ht) == ("Carottes des sables", Decimal("2.35"))
    assert other.status_code == 404  # another producer's product


# --- CCAS staff ---------------------------------------------------------------------------


def test_the_reste_a_vivre_calculator_suggests_and_stores_nothing(world):
    client = browser_for(world.ccas_staff)
    response = client.post(
        "/ccas/foyers/nouveau/",
        {"calculate": "1", "monthly_resources": "900", "monthly_charges": "600", "persons": "3"},
    )
    text = response.content.decode()
    assert "Reste à vivre : 3,33 € par personne et par jour." in text
    assert "Tranche suggérée : T1." in text
    assert not Household.objects.exists()
    assert not HouseholdAccessLog.objects.exists()


def test_a_household_enrolled_from_the_screen(world):
    client = browser_for(world.ccas_staff)
    response = client.post("/ccas/foyers/nouveau/", enrolment_form(world), follow=True)
    household = Household.objects.get()
    assert household.monthly_cap == Decimal("35.00")  # 3 persons by default
    assert f"Foyer {household.reference} inscrit" in response.content.decode()
    assert list(household.access_log.values_list("action", flat=True)) == [
        AccessAction.READ,  # the page it lands on
        AccessAction.CREATE,
    ]


def test_a_cofunded_household_enrolled_from_the_screen(world):
    city = factories.FunderFactory(name="Ville de Lille", kind="city")
    client = browser_for(world.ccas_staff)
    half = client.post(
        "/ccas/foyers/nouveau/", enrolment_form(world, co_funder=city.id), follow=True
    )
    assert "Indiquez le cofinanceur et sa part, ou ni l&#x27;un ni l&#x27;autre." in (
        half.content.decode()
    )
    assert not Household.objects.exists()

    response = client.post(
        "/ccas/foyers/nouveau/",
        enrolment_form(world, co_funder=city.id, co_funder_share="40"),
        follow=True,
    )

    household = Household.objects.get()
    assert household.funder == world.funder
    assert {(row.funder_id, row.share) for row in household.funders.all()} == {
        (world.funder.id, Decimal("0.6000")),
        (city.id, Decimal("0.4000")),
    }
    assert f"{world.funder.name} (60 %), Ville de Lille (40 %)" in response.content.decode()


def test_an_enrolment_too_long_is_refused_on_its_field(world):
    client = browser_for(world.ccas_staff)
    too_far = (timezone.localdate() + timedelta(days=300)).isoformat()
    response = client.post("/ccas/foyers/nouveau/", enrolment_form(world, valid_until=too_far))
    assert "Une décision vaut de 3 à 6 mois" in response.content.decode()
    assert not Household.objects.exists()


def test_an_enrolment_with_another_ccas_funder_is_refused(world):
    client = browser_for(world.ccas_staff)
    response = client.post(
        "/ccas/foyers/nouveau/", enrolment_form(world, funder=world.other_funder.id)
    )
    assert response.status_code == 200
    assert not Household.objects.exists()


def test_reading_a_household_is_logged_and_another_ccas_gets_404(world, market):
    path = f"/ccas/foyers/{market.household.id}/"
    before = HouseholdAccessLog.objects.count()

    assert browser_for(world.other_ccas_staff).get(path).status_code == 404
    assert HouseholdAccessLog.objects.count() == before
    browser_for(world.ccas_staff).get(path)
    entry = HouseholdAccessLog.objects.latest("id")
    assert (entry.user, entry.action, entry.household) == (
        world.ccas_staff,
        AccessAction.READ,
        market.household,
    )


def test_a_decision_renewed_from_its_page(world, market):
    household = market.household
    new_end = household.valid_until + timedelta(days=120)
    client = browser_for(world.ccas_staff)

    too_short = client.post(
        f"/ccas/foyers/{household.id}/",
        {"renew": "1", "valid_until": (household.valid_until + timedelta(days=10)).isoformat()},
    )
    assert "3 à 6 mois" in too_short.content.decode()
    household.refresh_from_db()
    assert household.valid_until != new_end
    client.post(f"/ccas/foyers/{household.id}/", {"renew": "1", "valid_until": new_end.isoformat()})
    household.refresh_from_db()
    assert household.valid_until == new_end


def test_the_access_log_page_lists_only_the_ccas_households(world, market):
    other = factories.household_row(world, persons=1, cap=Decimal("20"))
    other.social_service = world.other_social_service
    other.save()
    HouseholdAccessLog.objects.create(
        household=other, user=world.other_ccas_staff, action="read", accessed_at=timezone.now()
    )
    page = browser_for(world.ccas_staff).get("/ccas/journal/").content.decode()
    assert market.household.reference in page
    assert other.reference not in page


# --- Coordinator --------------------------------------------------------------------------


def test_the_coordinator_closes_from_the_panel_and_follows_the_task(
    world, market, ordered, django_capture_on_commit_callbacks
):
    client = browser_for(world.coordinator)
    path = f"/coordination/cycles/{market.cycle.id}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"step": "close"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{path}?tache=")
    market.cycle.refresh_from_db()
    assert market.cycle.status == CycleStatus.CLOSED
    panel = client.get(response["Location"]).content.decode()
    assert 'data-state="SUCCESS"' in panel
    assert "Clôture : consolidation et bons de commande" in panel
    # Each purchase list's amount, in French: carrots 6.33 + 204.67, potatoes 5.80 + 58.03.
    assert "211,00 €" in panel and "63,83 €" in panel


def test_a_step_out_of_turn_is_refused_with_its_reason(world, market):
    client = browser_for(world.coordinator)
    path = f"/coordination/cycles/{market.cycle.id}/"

    response = client.post(path, {"step": "settle"}, follow=True)

    assert "enregistrez d&#x27;abord les livraisons" in response.content.decode()
    market.cycle.refresh_from_db()
    assert market.cycle.status == CycleStatus.OPEN
    assert client.post(path, {"step": "drop_tables"}).status_code == 403


def test_a_cycle_created_from_the_screen(world):
    client = browser_for(world.coordinator)
    now = timezone.localtime()
    fields = {
        "name": "Livraison de Noël",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "confirm_by": (now + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "delivery_date": (now + timedelta(days=6)).date().isoformat(),
        "hub": world.hub.id,
    }
    refused = client.post("/coordination/cycles/", {**fields, "closes_at": fields["opens_at"]})
    assert refused.status_code == 200
    assert not world.hub.ordercycle_set.filter(name="Livraison de Noël").exists()
    client.post("/coordination/cycles/", fields)
    assert world.hub.ordercycle_set.get(name="Livraison de Noël").status == CycleStatus.DRAFT


def test_the_numbers_filters():
    assert percent(Decimal("0.055")) == "5,5 %"
    assert percent(Decimal("0.200")) == "20 %"
    assert plain(Decimal("4.000")) == "4"
    assert plain(Decimal("2.500")) == "2.5"
    assert plain(None) == ""


def test_links_lead_to_screens_not_to_the_api(world, market):
    """The API's route names (household-detail, cycle-list, ...) must not capture a screen's."""
    households = browser_for(world.ccas_staff).get("/ccas/foyers/").content.decode()
    assert f'href="/ccas/foyers/{market.household.id}/"' in households
    assert "/api/v1/households/" not in households
    home = browser_for(world.coordinator).get("/").content.decode()
    assert 'href="/coordination/cycles/"' in home


def test_screens_stay_french_for_an_english_browser_while_the_api_follows_it(client, world):
    client.force_login(world.coordinator)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    api = client.get("/api/v1/cycles/?page_size=abc", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert "Accueil" in html and "Déconnexion" in html and ">Home<" not in html
    assert api.json()["message"].startswith("The page size")
