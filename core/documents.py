"""Printable documents: an HTML template, rendered in the platform's language, printed by
WeasyPrint. Every document knows the platform and when it was printed."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from .choices import OrganisationKind
from .models import Organisation


def pdf_from_template(template: str, context: dict, *, variant: str | None = None) -> bytes:
    """The template rendered in French and printed; `variant` asks WeasyPrint for a PDF
    profile (the Factur-X invoice is PDF/A-3b)."""
    context = {
        "platform": Organisation.objects.get(kind=OrganisationKind.PLATFORM),
        "printed_at": timezone.localtime(),
        **context,
    }
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf(pdf_variant=variant)
