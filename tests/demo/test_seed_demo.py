from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client

from accounting.models import Envelope, Funder
from core.models import TaskRun, User
from core.tasks import DATA_PREPARATION
from demo import demo_data
from demo.checks import demo_accounts_check, demo_accounts_refuse
from logistics.models import Hub, Vehicle, Zone
from orders.models import Grocery, Household, SocialService
from producers.models import Offer, Producer, Product
from supply.models import OrderCycle


def test_seed_demo_loads_a_believable_data_set_once(db):
    out = StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)

    assert Hub.objects.count() == 1
    assert Vehicle.objects.count() == 2
    assert SocialService.objects.count() == 3
    assert Grocery.objects.count() == 10
    assert set(Grocery.objects.values_list("organisation__commune", flat=True)) == {
        "Lille",
        "Lomme",
        "Hellemmes",
    }
    assert {"hellemmes-epine", "hellemmes-dombrowski"} <= set(
        Grocery.objects.values_list("zone__code", flat=True)
    )
    assert Producer.objects.count() == 18
    assert Producer.objects.filter(zone__isnull=True).count() == Producer.objects.count()
    assert Product.objects.count() == 120
    assert Product.objects.values("category").distinct().count() == 9
    assert Funder.objects.count() == 7
    assert Envelope.objects.filter(funder__isnull=False).count() == Envelope.objects.count() > 0
    assert Zone.objects.count() == 10
    assert OrderCycle.objects.filter(status="open").count() == 1
    assert Offer.objects.count() == 2 * Product.objects.count()
    assert Household.objects.count() == 11
    assert set(
        Household.objects.values_list("social_service__organisation__commune", flat=True)
    ) == {
        "Lille",
        "Lomme",
        "Hellemmes",
    }
    roles = set(User.objects.values_list("membership__role", flat=True))
    assert roles == {"coordinator", "grocery_volunteer", "producer", "ccas_staff", "official"}
    printed = out.getvalue()
    assert "déjà chargées" in printed
    assert "coordination" in printed and "Solidaire-Demo-2026" in printed


def test_seed_demo_is_refused_by_production_settings(db, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()


def test_seed_history_settles_past_cycles_through_the_services(db):
    from accounting.ledger import trial_balance
    from dashboards.models import OrderFact

    call_command("seed_demo", stdout=StringIO())
    out = StringIO()

    call_command("seed_history", "--weeks", "2", "--no-progress", stdout=out, stderr=out)
    call_command("seed_history", "--weeks", "2", "--no-progress", stdout=out, stderr=out)

    history = OrderCycle.objects.filter(name__startswith="Historique")
    assert list(history.values_list("status", flat=True)) == ["settled", "settled"]
    assert history.filter(rounds__isnull=False).distinct().count() == 2
    assert trial_balance()["balanced"] and trial_balance()["total_debit"] > 0
    assert OrderFact.objects.filter(cycle__in=history, household__isnull=False).count() >= 10
    assert "2 cycles réglés ajoutés" in out.getvalue()
    assert "0 cycles réglés ajoutés (2 déjà présents)" in out.getvalue()
    call_command("ledger_check", stdout=out)


def test_the_demo_coordinator_opens_the_admin(db):
    call_command("seed_demo", stdout=StringIO())
    browser = Client()
    assert browser.login(username="coordination", password=demo_data.DEMO_PASSWORD)

    assert browser.get("/admin/").status_code == 200
    volunteer = Client()
    volunteer.login(username="benevole.fives", password=demo_data.DEMO_PASSWORD)
    assert volunteer.get("/admin/").status_code == 302  # to the admin's login


def test_production_refuses_a_database_with_the_demo_accounts(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    demo_accounts_refuse()  # nothing of the demo yet
    assert demo_accounts_check(databases=["default"]) == []
    settings.DEMO_DATA_ALLOWED = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(ImproperlyConfigured, match="comptes de démonstration"):
        demo_accounts_refuse()
    errors = demo_accounts_check(databases=["default"])
    assert [error.id for error in errors] == ["demo.E001"]
    assert errors[0].msg.startswith(
        "25 comptes de démonstration sont dans cette base (benevole.epine,"
    )
    assert demo_accounts_check(databases=None) == []  # without the database, nothing to say


def test_the_history_in_the_background_shows_its_progress_on_the_dashboard(db, settings):
    call_command("seed_demo", stdout=StringIO())
    official = Client()
    official.login(username="elu.lille", password=demo_data.DEMO_PASSWORD)
    # As `make run` starts it: a run still going says so on the officials' page.
    TaskRun.objects.create(name=DATA_PREPARATION, state="PROGRESS", progress=40)
    preparing = official.get("/tableau-de-bord/").content.decode()

    call_command(
        "seed_history",
        "--weeks",
        "1",
        "--track",
        "--no-progress",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    done = official.get("/tableau-de-bord/").content.decode()

    assert "en cours de préparation" in preparing and 'value="40"' in preparing
    latest = TaskRun.objects.filter(name=DATA_PREPARATION).latest("created_at")
    assert (latest.state, latest.progress) == ("SUCCESS", 100)
    assert "en cours de préparation" not in done
