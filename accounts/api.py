from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import services, throttle


class TokenObtainApi(ObtainAuthToken):
    """Exchanges a username and password for the user's API token."""

    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"

    class TokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=ObtainAuthToken.serializer_class, responses=TokenOutputSerializer)
    def post(self, request: Request, *args, **kwargs) -> Response:
        # The same lock as the log-in page's (accounts.throttle), before any password check.
        username = request.data.get("username") if hasattr(request.data, "get") else None
        seconds = throttle.seconds_locked(request, username if isinstance(username, str) else None)
        if seconds:
            return Response(
                {"detail": throttle.refusal_message(seconds)},
                status=429,
                headers={"Retry-After": str(seconds)},
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        throttle.clear(user.get_username())
        token = services.token_get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    class MeOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        is_instructor = serializers.BooleanField()

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.MeOutputSerializer(request.user).data)
