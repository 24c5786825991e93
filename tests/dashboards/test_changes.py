"""The change beside each figure compares like with like: nothing is shown against an
earlier period that is missing or too small (it read +1 056 % for the first real month),
and the local share is not held against an EGAlim target it is not part of (#19, item 3)."""

from datetime import date, timedelta

from django.test import Client

from tests import factories

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def _orders(world, cycle, *, weeks: list[date], households: int) -> None:
    factories.order_facts(world, cycle, [weeks[index % len(weeks)] for index in range(households)])


def _page(world) -> str:
    browser = Client()
    browser.force_login(world.official)
    return browser.get("/tableau-de-bord/", NOVEMBER).content.decode()


def test_no_change_against_an_earlier_period_with_almost_nothing(world):
    cycle = factories.OrderCycleFactory(hub=world.hub, status="settled")
    november = [date(2026, 11, 2) + timedelta(days=7 * week) for week in range(4)]
    _orders(world, cycle, weeks=november, households=12)
    _orders(world, cycle, weeks=[date(2026, 10, 26)], households=1)  # one test order

    assert "vs période précédente" not in _page(world)


def test_a_change_against_a_comparable_earlier_period(world):
    cycle = factories.OrderCycleFactory(hub=world.hub, status="settled")
    november = [date(2026, 11, 2) + timedelta(days=7 * week) for week in range(4)]
    october = [date(2026, 10, 5) + timedelta(days=7 * week) for week in range(4)]
    _orders(world, cycle, weeks=november, households=12)
    _orders(world, cycle, weeks=october, households=6)

    page = _page(world)

    # 12 orders against 6: twice as many.
    assert '▲ +100 % <span class="muted">vs période précédente</span>' in page


def test_the_local_share_has_no_egalim_target(world):
    page = _page(world)

    assert "objectif EGAlim de 20 %" in page
    assert "La part locale est montrée face à l'objectif de 50 %" not in page
    assert "sans objectif" in page
