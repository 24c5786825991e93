"""What every screen shares: who may open it, how a refusal is shown, how numbers typed in a
form are read, and the error page."""

import functools
import sys
from datetime import date
from decimal import Decimal

from django import db, forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from .access import actor_of
from .errors import DomainError, InvalidInput


def size_messages(message) -> dict:
    """The same message for every way a number can be too big or too precise."""
    return {key: message for key in ("max_digits", "max_decimal_places", "max_whole_digits")}


# A quantity typed in a form: French or English decimal mark, at most 6 digits and 3 decimals.
QUANTITY = forms.DecimalField(
    min_value=0,
    max_digits=9,
    decimal_places=3,
    localize=True,
    error_messages={
        "min_value": gettext_lazy("A quantity cannot be negative."),
        **size_messages(gettext_lazy("A quantity has at most 6 digits and 3 decimals.")),
    },
)


def role_required(*roles: str):
    """Screens open to some roles only; the caller's actor is put on the request."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            actor = actor_of(request.user)
            if actor is None or actor.role not in roles:
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def refused(request, error: DomainError) -> None:
    """Show a service's refusal the way the API would state it: the sentence, then each field."""
    messages.error(request, error.message)
    for field_messages in (error.fields or {}).values():
        for message in field_messages:
            if message != error.message:
                messages.error(request, message)


def decimals_from(
    data,
    *,
    prefix: str,
    allowed: set[int],
    field: forms.DecimalField = QUANTITY,
    invalid: str,
    refusal: str,
) -> dict[int, Decimal]:
    """The numbers typed in inputs named `<prefix><id>`, checked by `field`; empty inputs are
    left out. Refuses ids outside `allowed`; `invalid` (with %(value)s) names what is not a
    number, `refusal` sums them up. All the errors are raised together, each on its input."""
    numbers, errors = {}, {}
    for name, raw in data.items():
        if not name.startswith(prefix) or not raw.strip():
            continue
        key = name[len(prefix) :]
        if not key.isdigit() or int(key) not in allowed:
            errors[name] = [_("This line is not offered here.")]
            continue
        typed = raw.replace("\u202f", "").replace(" ", "")
        if not typed.isascii():  # Decimal reads "２" as 2: refused rather than misread
            errors[name] = [invalid % {"value": raw[:20]}]
            continue
        try:
            numbers[int(key)] = field.clean(typed)
        except ValidationError as error:
            if any(item.code == "invalid" for item in error.error_list):
                errors[name] = [invalid % {"value": raw[:20]}]
            else:
                errors[name] = list(error.messages)
    if errors:
        raise InvalidInput(refusal, fields=errors)
    return numbers


MONEY = forms.DecimalField(max_digits=12, decimal_places=2, localize=True)


def posted_id(request, name: str) -> int:
    """The id a form posted in `name`; 0, which names nothing, when it is not one."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def posted_date(request, name: str, *, default: date) -> date:
    """The day a date input posted in `name` (YYYY-MM-DD); `default` when it is empty or
    not a day."""
    try:
        return date.fromisoformat(request.POST.get(name, "")[:10])
    except ValueError:
        return default


def posted_amount(request, name: str) -> Decimal:
    """Euros typed in `name` (a decimal comma, spaces or a € sign allowed), refused with a
    message on the field when it is not an amount."""
    typed = request.POST.get(name, "")[:30].replace("€", "").replace("\u202f", "")
    typed = typed.replace("\xa0", "").replace(" ", "")
    try:
        if not typed.isascii():  # Decimal reads "２" as 2: refused rather than misread
            raise ValidationError("not ascii")
        return MONEY.clean(typed)
    except ValidationError:
        message = _("Type an amount in euros, e.g. 12,50.")
        raise InvalidInput(message, fields={name: [message]}) from None


def quantities_from(data, *, prefix: str, allowed: set[int]) -> dict[int, Decimal]:
    """The quantities typed in inputs named `<prefix><id>` (see decimals_from)."""
    return decimals_from(
        data,
        prefix=prefix,
        allowed=allowed,
        invalid=_("« %(value)s » is not a quantity."),
        refusal=_("Some quantities are not valid."),
    )


def _refusal(
    request, *, status: int, code: str, message: str, template: str = "error.html", title=""
):
    """An error in the contract's JSON body under /api/, else a page: `error.html` in the
    site's frame, or a template that needs neither the database nor the session."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, template, {"title": title, "message": message}, status=status)


# Django's handler404, handler403 and handler400: status -> code, title, message.
REFUSALS = {
    404: (
        "not_found",
        gettext_lazy("Page not found"),
        gettext_lazy("This page does not exist, or is not yours to see."),
    ),
    403: (
        "permission_denied",
        gettext_lazy("Access refused"),
        gettext_lazy("Your role does not allow this page."),
    ),
    400: (
        "bad_request",
        gettext_lazy("Request refused"),
        gettext_lazy("The request could not be understood."),
    ),
}


def _handler(status: int):
    code, title, message = REFUSALS[status]

    def handler(request, exception=None, *args, **kwargs):
        return _refusal(request, status=status, code=code, title=title, message=str(message))

    return handler


not_found = _handler(404)  # no such page, or none in the caller's scope
forbidden = _handler(403)  # the caller's role may not open this page
bad_request = _handler(400)  # a request Django itself refuses (e.g. a forged host)
# Any path under /api/v1/ that names nothing: the contract's 404, DEBUG or not, whatever
# the method (a PATCH with a session cookie and no CSRF token is still a 404, in JSON).
api_not_found = csrf_exempt(not_found)


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW: a form sent without its token (a page open too long, or
    sent from elsewhere). In the site's frame and in French, JSON under /api/."""
    return _refusal(
        request,
        status=403,
        code="csrf_failed",
        title=_("Form expired"),
        message=_(
            "This form has expired or did not come from this site: reload the page and "
            "send it again."
        ),
    )


DATABASE_ERRORS = (db.OperationalError, db.InterfaceError)


def server_error(request):
    """Django's handler500, called while the exception is being handled.

    The database unreachable (restarted, failed over, too many connections) is 503 with a
    Retry-After: the request wrote nothing (its transaction never committed) and may be sent
    again. The API answers in the contract's error body; the screens with a page that needs
    neither the database nor the session.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        status, code = 503, "service_unavailable"
        message = _("The service is briefly unavailable. Please try again in a few moments.")
    else:
        status, code = 500, "server_error"
        message = _("An unexpected error occurred. The team has been told; please try again.")
    response = _refusal(
        request, status=status, code=code, message=message, template="server_error.html"
    )
    if status == 503:
        response["Retry-After"] = "5"
    return response
