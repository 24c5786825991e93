"""The screens of DESIGN.md §12: the coordinator's payments and balances, and each party's
invoices and balance."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import Role
from core.errors import DomainError
from core.formats import format_euros
from core.views import refused, role_required

from . import bank, invoicing, payments, selectors
from .choices import BankLineStatus
from .forms import BankLineForm, PaymentForm, StatementUploadForm
from .models import BankLine, BankStatement
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


def _open_invoices() -> list:
    return list(
        invoicing.open_invoice_list().select_related(
            "grocery__organisation", "funder", "producer__organisation"
        )
    )


@coordinator_only
def bank_page(request):
    """Import the bank's statement; what it could not match waits here for a person."""
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = bank.statement_import(
                file_name=upload.name,
                content=upload.read(),
                now=timezone.now(),
                user=request.user,
            )
        except DomainError as error:
            refused(request, error)
        else:
            counts = {status: 0 for status in BankLineStatus.values}
            for line in statement.lines.all():
                counts[line.status] += 1
            messages.success(
                request,
                _(
                    "%(file)s imported: %(matched)d lines matched, %(unmatched)d to match, "
                    "%(known)d already imported."
                )
                % {
                    "file": statement.file_name,
                    "matched": counts[BankLineStatus.MATCHED],
                    "unmatched": counts[BankLineStatus.UNMATCHED],
                    "known": statement.already_imported,
                },
            )
            return redirect("bank-page")
    open_invoices = _open_invoices()
    waiting = BankLine.objects.filter(status=BankLineStatus.UNMATCHED).order_by("booked_on", "id")
    context = {
        "form": form,
        "waiting": [
            (line, BankLineForm(open_invoices=open_invoices, prefix=f"line-{line.id}"))
            for line in waiting
        ],
        "statements": BankStatement.objects.prefetch_related("lines")[:20],
        "recent": BankLine.objects.exclude(status=BankLineStatus.UNMATCHED)
        .select_related("payment")
        .order_by("-booked_on", "-id")[:30],
    }
    return render(request, "accounting/bank.html", context)


@coordinator_only
@require_POST
def bank_line_settle(request, line_id: int):
    """Match a waiting line to an invoice or a party, or ignore it."""
    line = get_object_or_404(BankLine, pk=line_id)
    form = BankLineForm(request.POST, open_invoices=_open_invoices(), prefix=f"line-{line.id}")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("bank-page")
    data = form.cleaned_data
    try:
        if request.POST.get("action") == "ignore":
            bank.line_ignore(line=line, reason=data["reason"])
            messages.success(request, _("Line ignored: %(reason)s") % {"reason": data["reason"]})
        else:
            kind, party = None, None
            if data["party"]:
                kind, party_id = data["party"]
                party = PARTY_MODELS[kind].objects.get(pk=party_id)
            bank.line_match(
                line=line,
                invoices=[data["invoice"]] if data["invoice"] else None,
                party_kind=kind,
                party=party,
                is_advance=data["advance"],
                now=timezone.now(),
                user=request.user,
            )
            messages.success(
                request,
                _("Payment of %(amount)s recorded from the bank line.")
                % {"amount": format_euros(line.amount)},
            )
    except DomainError as error:
        refused(request, error)
    return redirect("bank-page")
