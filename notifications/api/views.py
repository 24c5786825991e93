from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api.idempotency import respond_idempotently
from core.api.permissions import RolePermission
from core.api.serializers import UserCreateSerializer, UserSerializer
from core.api.viewsets import ScopedViewSet
from core.choices import Role
from core.models import User

from .. import accounts, selectors, services
from ..choices import NEEDED_TO_ACT
from ..models import Notification
from .serializers import (
    NotificationSerializer,
    OutboxSerializer,
    PasswordResetSerializer,
    PreferencesSerializer,
)

EVERYONE = tuple(Role.values)


class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    """What is new for me (DESIGN.md §11): my messages, unread first to the eye."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    roles = {"*": EVERYONE}
    filterset_fields = ["kind"]

    def scoped_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        services.notifications_read(user=request.user, ids=[notification.id])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"read": services.notifications_read(user=request.user)})


class OutboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Every message sent or to send, for the coordinator: failures, and sending one again."""

    serializer_class = OutboxSerializer
    queryset = Notification.objects.none()
    roles = {"*": (Role.COORDINATOR,)}
    filterset_fields = ["status", "kind"]

    def scoped_queryset(self) -> QuerySet[Notification]:
        return selectors.outbox_list()

    @extend_schema(request=None, responses={200: OutboxSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        notification = services.notification_resend(notification=self.get_object())
        return Response(OutboxSerializer(notification).data)


class PreferencesView(APIView):
    permission_classes = [RolePermission]
    roles = {"get": EVERYONE, "patch": EVERYONE}

    def _answer(self, user: User) -> Response:
        return Response(
            {
                "email_off": services.emails_off(user),
                "kinds": list(services.kinds_for(user)),
                "needed_to_act": sorted(NEEDED_TO_ACT & set(services.kinds_for(user))),
            }
        )

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request):
        return self._answer(request.user)

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preferences_update(
            user=request.user, email_off=serializer.validated_data["email_off"]
        )
        return self._answer(request.user)


class PasswordResetView(APIView):
    """The same 202 whether the address exists or not; the link goes to the address only."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(request=PasswordResetSerializer, responses={202: None})
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accounts.password_reset_request(
            email=serializer.validated_data["email"], now=timezone.now()
        )
        return Response(
            {
                "detail": _(
                    "If an account has this address, a link to choose a new password has "
                    "been sent to it."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )


class UserCreateView(APIView):
    """A person, with a password, or invited by e-mail to choose one (valid 72 h)."""

    permission_classes = [RolePermission]
    roles = {"post": (Role.COORDINATOR,)}

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        def produce():
            serializer = UserCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = {"email": "", "password": "", **serializer.validated_data}
            user = accounts.user_invite(**data, now=timezone.now())
            return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

        return respond_idempotently(request, produce)


class UserInviteView(APIView):
    """Invite again someone who has not chosen a password (a new link, valid 72 h)."""

    permission_classes = [RolePermission]
    roles = {"post": (Role.COORDINATOR,)}

    @extend_schema(request=None, responses={202: None})
    def post(self, request, user_id: int):
        user = get_object_or_404(User, pk=user_id)
        accounts.invitation_send(user=user, now=timezone.now())
        return Response(
            {"detail": _("Invitation sent to %(email)s.") % {"email": user.email}},
            status=status.HTTP_202_ACCEPTED,
        )
