"""The DFC API (DESIGN.md §13): a consenting producer's catalogue at the paths of Open Food
Network's DFC API, for another platform (a CoopCircuits hub) holding one of our API tokens."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import actor_of
from core.api.renderers import JSONLDRenderer
from core.choices import Role
from producers import dfc
from producers.models import Producer

SUPPLIED = ("dfc-b:SuppliedProduct",)
CATALOGUE = ("dfc-b:SuppliedProduct", "dfc-b:CatalogItem", "dfc-b:Offer")


class DFCView(APIView):
    """JSON-LD for any authenticated client; the producer must share its catalogue (its own
    users and the coordinator see it before it does)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONLDRenderer]
    types: tuple[str, ...] = CATALOGUE
    single = False

    def producer(self, request, enterprise_id: int) -> Producer:
        producer = get_object_or_404(
            Producer.objects.select_related("organisation"), pk=enterprise_id
        )
        actor = actor_of(request.user)
        own = actor is not None and (
            actor.role == Role.COORDINATOR or actor.organisation.pk == producer.organisation_id
        )
        if not producer.dfc_shared and not own:
            raise Http404(_("This producer does not share its catalogue."))
        return producer

    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    def get(self, request, enterprise_id: int, id: int | None = None):
        document = dfc.catalogue_document(
            producer=self.producer(request, enterprise_id),
            base_url=request.build_absolute_uri("/"),
            product_id=id,
            types=self.types,
        )
        if document is None:
            raise Http404(_("No such product in this catalogue."))
        return Response(document)


@extend_schema_view(get=extend_schema(operation_id="dfc_catalog_items_list"))
class CatalogItemsView(DFCView):
    """The catalogue: each item with the product it references and its offer."""


@extend_schema_view(get=extend_schema(operation_id="dfc_catalog_item"))
class CatalogItemView(DFCView):
    """One item with its product and offer."""


@extend_schema_view(get=extend_schema(operation_id="dfc_supplied_products_list"))
class SuppliedProductsView(DFCView):
    types = SUPPLIED


@extend_schema_view(get=extend_schema(operation_id="dfc_supplied_product"))
class SuppliedProductView(DFCView):
    types = SUPPLIED


@extend_schema_view(get=extend_schema(operation_id="dfc_offer"))
class OfferView(DFCView):
    types = ("dfc-b:Offer",)
