from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import RolePermission
from core.api.renderers import CSVRenderer, XLSXRenderer
from core.api.views import file_headers
from core.choices import Role
from dashboards import kpis
from dashboards.api.serializers import (
    CaisseFiguresSerializer,
    DefinitionSerializer,
    KpisSerializer,
    ScopeQuerySerializer,
    TimeseriesPointSerializer,
    TimeseriesQuerySerializer,
)
from ssa.selectors import caisse_figures

SCOPE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Cycles delivered from this day"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Cycles delivered until this day"),
    OpenApiParameter("commune", str, enum=["Lille", "Lomme", "Hellemmes"]),
    OpenApiParameter("zone", int, description="A zone's id (a QPV, or a commune)"),
]


class DashboardView(APIView):
    permission_classes = [RolePermission]
    roles = {"get": (Role.OFFICIAL, Role.COORDINATOR)}

    def scope(self, serializer_class=ScopeQuerySerializer):
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer


class KpisView(DashboardView):
    """The headline figures of DESIGN.md §7 for a period, a commune or a zone."""

    @extend_schema(parameters=SCOPE_PARAMETERS, responses={200: KpisSerializer})
    def get(self, request):
        return Response(kpis.kpis(self.scope().scope()))


class CaissesView(DashboardView):
    """The caisses alimentaires over a period (DESIGN.md §14): members, contributions by
    band, spending and its local and organic shares; small cells hidden."""

    @extend_schema(
        parameters=SCOPE_PARAMETERS[:2], responses={200: CaisseFiguresSerializer(many=True)}
    )
    def get(self, request):
        scope = self.scope().scope()
        rows = caisse_figures(start=scope.start, end=scope.end)
        return Response(CaisseFiguresSerializer(rows, many=True).data)


class TimeseriesView(DashboardView):
    """One figure per week or month."""

    @extend_schema(
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("metric", str, enum=kpis.KPI_KEYS, required=True),
            OpenApiParameter("granularity", str, enum=list(kpis.GRANULARITIES)),
        ],
        responses={200: TimeseriesPointSerializer(many=True)},
    )
    def get(self, request):
        query = self.scope(TimeseriesQuerySerializer)
        return Response(
            kpis.timeseries(
                query.scope(),
                metric=query.validated_data["metric"],
                granularity=query.validated_data["granularity"],
            )
        )


class ExportView(DashboardView):
    """Every figure by commune and month, as CSV or XLSX (JSON too)."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    # The files' column names: each figure's label (kpis.KPIS).
    export_headers = {kpi.key: kpi.label for kpi in kpis.KPIS}

    @extend_schema(
        parameters=[*SCOPE_PARAMETERS, OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={200: KpisSerializer(many=True)},
    )
    def get(self, request):
        scope = self.scope().scope()
        rows = kpis.by_commune_and_month(scope)
        file_format = request.accepted_renderer.format
        headers = {}
        if file_format in ("csv", "xlsx"):
            name = f"tableau-de-bord-{scope.start}-{scope.end}.{file_format}"
            headers = file_headers(name)
        return Response(rows, headers=headers)


class DefinitionsView(DashboardView):
    """What each figure counts, in the reader's language."""

    @extend_schema(responses={200: DefinitionSerializer(many=True)})
    def get(self, request):
        return Response(
            [
                {
                    "key": kpi.key,
                    "label": str(kpi.label),
                    "explanation": str(kpi.explanation),
                    "unit": kpi.unit,
                }
                for kpi in kpis.KPIS
            ]
        )
