from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import Organisation


class InviteForm(forms.Form):
    """A person invited by e-mail: they choose their own password (DESIGN.md §11)."""

    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("kind", "name")
    )
