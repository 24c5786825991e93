"""What the books tell people (DESIGN.md §11): statements after settlement, envelopes nearly
used. Through the outbox, each once."""

from datetime import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formats import format_date, format_euros
from core.models import User
from notifications import registry
from notifications.choices import Kind
from notifications.services import coordinators, notify, organisation_users
from producers.models import Producer
from supply.models import OrderCycle

from . import statements
from .models import Envelope, Funder

# Envelope use (committed and spent over its amount) at which the coordinator and the
# funder's CCAS are told, once per envelope and level.
ENVELOPE_LEVELS = (95, 80)


def statements_ready(*, cycle: OrderCycle) -> int:
    """Settled: producers get their statement, the CCAS their funder's statement."""
    values = {"name": cycle.name, "day": format_date(cycle.delivery_date)}
    sent = 0
    producers = Producer.objects.filter(purchase_lists__cycle=cycle).distinct()
    funders = (
        Funder.objects.filter(households__orders__cycle=cycle, social_service__isnull=False)
        .select_related("social_service")
        .distinct()
    )
    with translation.override("fr"):
        for producer in producers:
            sent += notify(
                kind=Kind.STATEMENT_READY,
                object_key=f"cycle:{cycle.id}",
                recipients=organisation_users([producer.organisation_id]),
                subject=_("Settlement statement: %(name)s") % values,
                paragraphs=[
                    _(
                        "The cycle %(name)s (delivery on %(day)s) is settled. Your statement, "
                        "attached, says what you are paid for what was received."
                    )
                    % values
                ],
                url=reverse("producer-purchase-lists"),
                attachments=[("accounting.producer_statement", f"{producer.id}:{cycle.id}")],
            )
        for funder in funders:
            social_service = funder.social_service
            if social_service is None:
                continue
            sent += notify(
                kind=Kind.STATEMENT_READY,
                object_key=f"cycle:{cycle.id}:funder:{funder.id}",
                recipients=organisation_users([social_service.organisation_id]),
                subject=_("Funder statement: %(name)s") % values,
                paragraphs=[
                    _(
                        "The cycle %(name)s (delivery on %(day)s) is settled. The statement of "
                        "%(funder)s for that day is attached."
                    )
                    % {**values, "funder": funder.name}
                ],
                url=reverse("ccas-funding"),
                attachments=[("accounting.funder_statement", f"{funder.id}:{cycle.id}")],
            )
    return sent


def _day_period(cycle_id: int) -> statements.Period:
    day = OrderCycle.objects.values_list("delivery_date", flat=True).get(id=cycle_id)
    return statements.Period(start=day, end=day)


@registry.attachment("accounting.producer_statement")
def producer_statement_attachment(argument: str, recipient: User) -> tuple[str, bytes, str]:
    producer_id, cycle_id = (int(part) for part in argument.split(":"))
    producer = Producer.objects.get(id=producer_id)
    statement = statements.producer_statement(producer=producer, period=_day_period(cycle_id))
    pdf = statements.producer_statement_pdf(statement=statement, producer=producer)
    return f"releve-producteur-{cycle_id}.pdf", pdf, "application/pdf"


@registry.attachment("accounting.funder_statement")
def funder_statement_attachment(argument: str, recipient: User) -> tuple[str, bytes, str]:
    funder_id, cycle_id = (int(part) for part in argument.split(":"))
    funder = Funder.objects.get(id=funder_id)
    statement = statements.funder_statement(funder=funder, period=_day_period(cycle_id))
    pdf = statements.funder_statement_pdf(statement=statement)
    return f"releve-financeur-{cycle_id}.pdf", pdf, "application/pdf"


@registry.reminder
def envelopes_used(now: datetime) -> int:
    """Envelopes of the current period at 80 % and 95 %: the coordinator and the funder's
    CCAS see it coming before orders are refused."""
    today = timezone.localdate(now)
    envelopes = (
        Envelope.objects.filter(period_start__lte=today, period_end__gte=today, amount__gt=0)
        .annotate(used=F("committed") + F("spent"))
        .select_related("funder__social_service")
    )
    sent = 0
    with translation.override("fr"):
        for envelope in envelopes:
            share = envelope.used * 100 / envelope.amount
            level = next((level for level in ENVELOPE_LEVELS if share >= level), None)
            if level is None:
                continue
            people = list(coordinators())
            social_service = envelope.funder.social_service
            if social_service is not None:
                people += organisation_users([social_service.organisation_id])
            values = {
                "funder": envelope.funder.name,
                "level": level,
                "used": format_euros(envelope.used),
                "amount": format_euros(envelope.amount),
                "end": format_date(envelope.period_end),
            }
            sent += notify(
                kind=Kind.ENVELOPE_USED,
                object_key=f"envelope:{envelope.id}:{level}",
                recipients=people,
                subject=_("Envelope %(level)s %% used: %(funder)s") % values,
                paragraphs=[
                    _(
                        "The envelope of %(funder)s until %(end)s is %(level)s %% used "
                        "(%(used)s of %(amount)s). Once it is used up, subsidised orders are "
                        "refused."
                    )
                    % values
                ],
                url=reverse("ccas-funding"),
            )
    return sent
