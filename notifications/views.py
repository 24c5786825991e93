"""The screens of DESIGN.md §11: what is new for me, my messages' preferences, and for the
coordinator the outbox and the people of the platform (invitations)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.errors import DomainError
from core.models import User
from core.views import refused, role_required

from . import accounts, selectors, services
from .accounts import OutboxPasswordResetForm
from .choices import NEEDED_TO_ACT, Kind, Status
from .forms import InviteForm
from .models import Notification

anyone = role_required(*Role.values)
coordinator_only = role_required(Role.COORDINATOR)


@anyone
def inbox(request):
    """My messages, newest first; each opens the screen where I act."""
    if request.method == "POST":
        if request.POST.get("read_all"):
            services.notifications_read(user=request.user)
        elif request.POST.get("read", "").isdigit():
            services.notifications_read(user=request.user, ids=[int(request.POST["read"])])
        return redirect("inbox")
    page = Paginator(selectors.notification_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@anyone
def inbox_open(request, notification_id: int):
    notification = get_object_or_404(
        selectors.notification_list(user=request.user), pk=notification_id
    )
    services.notifications_read(user=request.user, ids=[notification.id])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("inbox")
    return redirect(target)


@anyone
def preferences_page(request):
    kinds = services.kinds_for(request.user)
    if request.method == "POST":
        wanted = set(request.POST.getlist("email_on"))
        email_off = [kind for kind in kinds if kind not in wanted and kind not in NEEDED_TO_ACT]
        try:
            services.preferences_update(user=request.user, email_off=email_off)
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("notification-preferences")
    email_off = set(services.emails_off(request.user))
    rows = [
        {
            "kind": kind,
            "label": Kind(kind).label,
            "on": kind not in email_off,
            "needed": kind in NEEDED_TO_ACT,
        }
        for kind in kinds
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "has_email": bool(request.user.email)},
    )


@coordinator_only
def outbox_page(request):
    """Every message, filtered by status and kind; failures with their error, sent again."""
    if request.method == "POST":
        try:
            if request.POST.get("resend", "").isdigit():
                notification = get_object_or_404(Notification, pk=int(request.POST["resend"]))
                services.notification_resend(notification=notification)
                messages.success(request, _("The message is queued again."))
            elif request.POST.get("resend_failed"):
                count = services.failed_resend()
                messages.success(request, _("%(count)d messages queued again.") % {"count": count})
        except DomainError as error:
            refused(request, error)
        return redirect(request.get_full_path())
    rows = selectors.outbox_list()
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in Status.values:
        rows = rows.filter(status=status)
    if kind in Kind.values:
        rows = rows.filter(kind=kind)
    counts = dict(Notification.objects.order_by().values_list("status").annotate(count=Count("id")))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "kinds": Kind.choices,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "failed": counts.get(Status.FAILED, 0),
    }
    return render(request, "notifications/outbox.html", context)


@coordinator_only
def people_page(request):
    """The people of the platform, whether they have chosen a password; invite, invite again."""
    form = InviteForm(request.POST if "invite" in request.POST else None)
    now = timezone.now()
    if request.method == "POST":
        try:
            if form.is_bound:
                if form.is_valid():
                    user = accounts.user_invite(**form.cleaned_data, now=now)
                    messages.success(
                        request,
                        _("Invitation sent to %(email)s (valid 72 hours).") % {"email": user.email},
                    )
                    return redirect("people-page")
            elif request.POST.get("reinvite", "").isdigit():
                user = get_object_or_404(User, pk=int(request.POST["reinvite"]))
                accounts.invitation_send(user=user, now=now)
                messages.success(
                    request, _("New invitation sent to %(email)s.") % {"email": user.email}
                )
                return redirect("people-page")
        except DomainError as error:
            refused(request, error)
            for name, errors in (error.fields or {}).items():
                if name in form.fields:
                    form.add_error(name, errors)
    people = (
        User.objects.select_related("membership__organisation")
        .annotate(
            invited_at=Max(
                "notifications__created_at",
                filter=Q(notifications__kind=Kind.INVITATION),
            )
        )
        .order_by("membership__organisation__kind", "membership__organisation__name", "username")
    )
    return render(request, "notifications/people.html", {"form": form, "people": people})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, sending through the outbox; the same page whether the address exists."""

    form_class = OutboxPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password-reset-done")


class PasswordChooseView(auth_views.PasswordResetConfirmView):
    """The link of a reset or an invitation: choose a password once; a locked account opens."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")
    invitation = False
    title = gettext_lazy("Choose a new password")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_chosen(user=form.user)
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}
