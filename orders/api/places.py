from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.parsers import BoundedMultiPartParser
from core.api.serializers import ImportResultSerializer, ImportUploadSerializer
from core.api.views import import_upload
from orders.places_import import places_import


class PlacesImportActions:
    """`POST …/import/`: groceries or producers (`places_kind`) in bulk from a file (CSV or
    XLSX, French columns), a dry run unless `dry_run` is false (DESIGN.md §13)."""

    places_kind: str

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[BoundedMultiPartParser],
    )
    def places_import(self, request):
        """Places in bulk from a file: a dry run unless `dry_run` is false."""
        name, content, dry_run = import_upload(request)
        return Response(
            places_import(kind=self.places_kind, name=name, content=content, dry_run=dry_run)
        )
