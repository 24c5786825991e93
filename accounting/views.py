"""The screens of DESIGN.md §12: the coordinator's payments and balances, and each party's
invoices and balance."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.errors import DomainError
from core.formats import format_euros
from core.views import refused, role_required

from . import payments, selectors
from .forms import PaymentForm
from .payments import PARTY_MODELS

coordinator_only = role_required(Role.COORDINATOR)
parties = role_required(Role.PRODUCER, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF)


@coordinator_only
def money_page(request):
    """Who owes what and since when; record a payment; the invoices and the FEC."""
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, party_id = data["party"]
        party = PARTY_MODELS[kind].objects.get(pk=party_id)
        try:
            payment = payments.payment_record(
                party_kind=kind,
                party=party,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                invoices=[data["invoice"]] if data["invoice"] else None,
                contributions=data["contributions"],
                is_advance=data["is_advance"],
                user=request.user,
                now=timezone.now(),
            )
        except DomainError as error:
            refused(request, error)
            for name, errors in (error.fields or {}).items():
                field = {"date": "paid_on", "invoices": "invoice"}.get(name, name)
                if field in form.fields:
                    form.add_error(field, errors)
        else:
            messages.success(
                request,
                _("Payment of %(amount)s recorded for %(party)s.")
                % {"amount": format_euros(payment.amount), "party": party.name},
            )
            return redirect("money-page")
    today = timezone.localdate()
    context = {
        "form": form,
        "balances": payments.balances(today=today),
        "payments": selectors.payment_list(actor=request.actor).order_by("-paid_on", "-id")[:30],
        "invoices": selectors.invoice_list(actor=request.actor)[:50],
        "year": today.year,
    }
    return render(request, "accounting/money.html", context)


@parties
def invoices_page(request):
    """A producer's, a grocery's or a CCAS's own invoices and balance."""
    kind, ids = selectors.balance_parties(actor=request.actor)
    context = {
        "balances": payments.balances(party_kind=kind, party_ids=ids, today=timezone.localdate()),
        "invoices": selectors.invoice_list(actor=request.actor)[:200],
    }
    return render(request, "accounting/invoices.html", context)
