from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import lockout, services
from core.access import actor_of
from core.api.permissions import RolePermission
from core.api.schema import ErrorSerializer
from core.api.serializers import (
    ImportUploadSerializer,
    MeSerializer,
    OrganisationSerializer,
    TaskRunSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from core.api.viewsets import ReadCreateViewSet
from core.choices import Role
from core.errors import InvalidInput, TooManyAttempts
from core.models import Organisation, TaskRun


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many attempts: for this account (locked 15 minutes) or from "
                "this address (throttled).",
            ),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = lockout.client_address(request)
        if lockout.is_locked(serializer.validated_data["username"], address):
            raise TooManyAttempts(
                _("Too many failed attempts for this account: try again in %(minutes)d minutes.")
                % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60}
            )
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or actor_of(user) is None:
            raise InvalidInput(
                _("Unknown username or wrong password."),
                code="invalid_credentials",
                fields={"password": [_("Unknown username or wrong password.")]},
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        actor = actor_of(request.user)
        if actor is None:
            raise InvalidInput(_("This account has no organisation."), code="no_membership")
        return Response(
            MeSerializer(
                {
                    "username": request.user.username,
                    "role": actor.role,
                    "organisation": actor.organisation,
                }
            ).data
        )


class OrganisationViewSet(ReadCreateViewSet):
    serializer_class = OrganisationSerializer
    roles = {"*": (Role.COORDINATOR,)}
    queryset = Organisation.objects.order_by("id")
    filterset_fields = ["kind", "commune"]

    def perform_create(self, serializer):
        serializer.instance = services.organisation_create(**serializer.validated_data)


class TaskRunView(APIView):
    """Progress of long work; visible to whoever started it and to coordinators."""

    permission_classes = [RolePermission]
    roles = {"get": tuple(Role.values)}

    @extend_schema(responses={200: TaskRunSerializer})
    def get(self, request, task_id):
        actor = actor_of(request.user)
        runs = TaskRun.objects.all()
        if actor.role != Role.COORDINATOR:
            runs = runs.filter(created_by=request.user)
        run = get_object_or_404(runs, id=task_id)
        return Response(TaskRunSerializer(run).data)


def accepted(run) -> Response:
    """The contract's 202 answer for long work."""
    return Response({"task_id": str(run.id)}, status=status.HTTP_202_ACCEPTED)


def import_upload(request) -> tuple[str, bytes, bool]:
    """An import's file from a multipart request: (its name, its content, dry run?)."""
    body = ImportUploadSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    upload = body.validated_data["file"]
    return upload.name, upload.read(), body.validated_data["dry_run"]


def file_headers(filename: str, *, inline: bool = False) -> dict:
    """The Content-Disposition of a download, or of a PDF shown in the browser (`inline`);
    Django encodes names with accents."""
    return {"Content-Disposition": content_disposition_header(not inline, filename)}
