from django.db.models import Q, QuerySet

from core.access import Actor
from core.choices import Role
from orders.models import Grocery
from producers.models import Producer

from . import invoicing
from .choices import PartyKind
from .models import Envelope, Funder, Invoice, Payment


def funder_list(*, actor: Actor) -> QuerySet[Funder]:
    funders = Funder.objects.order_by("name", "id")
    if actor.role == Role.COORDINATOR:
        return funders
    if actor.role == Role.CCAS_STAFF:
        return funders.filter(social_service__organisation_id=actor.organisation_id)
    return funders.none()


def envelope_list(*, actor: Actor) -> QuerySet[Envelope]:
    envelopes = Envelope.objects.order_by("funder_id", "period_start", "id")
    if actor.role == Role.COORDINATOR:
        return envelopes
    if actor.role == Role.CCAS_STAFF:
        return envelopes.filter(funder__social_service__organisation_id=actor.organisation_id)
    return envelopes.none()


def _party_scope(actor: Actor) -> Q | None:
    """Which parties' invoices, payments and balances an actor reads: all for the
    coordinator, its own for a producer or a grocery, its funders' for a CCAS."""
    if actor.role == Role.COORDINATOR:
        return Q()
    if actor.role == Role.PRODUCER:
        return Q(producer__organisation_id=actor.organisation_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        return Q(grocery__organisation_id=actor.organisation_id)
    if actor.role == Role.CCAS_STAFF:
        return Q(funder__social_service__organisation_id=actor.organisation_id)
    return None


def invoice_list(*, actor: Actor) -> QuerySet[Invoice]:
    scope = _party_scope(actor)
    invoices = invoicing.invoice_list().order_by("-issued_on", "-id")
    return invoices.filter(scope) if scope is not None else invoices.none()


def payment_list(*, actor: Actor) -> QuerySet[Payment]:
    scope = _party_scope(actor)
    payments = Payment.objects.select_related("producer", "grocery", "funder").prefetch_related(
        "allocations"
    )
    return payments.filter(scope) if scope is not None else payments.none()


def balance_parties(*, actor: Actor) -> tuple[str | None, list[int] | None]:
    """The party kind and ids whose balances this actor reads (None: all)."""
    if actor.role == Role.COORDINATOR:
        return None, None
    if actor.role == Role.PRODUCER:
        return PartyKind.PRODUCER, list(
            Producer.objects.filter(organisation_id=actor.organisation_id).values_list(
                "id", flat=True
            )
        )
    if actor.role == Role.GROCERY_VOLUNTEER:
        return PartyKind.GROCERY, list(
            Grocery.objects.filter(organisation_id=actor.organisation_id).values_list(
                "id", flat=True
            )
        )
    if actor.role == Role.CCAS_STAFF:
        return PartyKind.FUNDER, list(funder_list(actor=actor).values_list("id", flat=True))
    return PartyKind.FUNDER, []
