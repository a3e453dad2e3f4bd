from drf_spectacular.utils import extend_schema
from rest_framework import generics

from portal.api.schema import ERROR_RESPONSES

from .serializers import CurrentUserSerializer


@extend_schema(tags=["accounts"], responses={200: CurrentUserSerializer, **ERROR_RESPONSES})
class CurrentUserView(generics.RetrieveAPIView):
    """The signed-in user, their role and the area or institution their access is scoped to."""

    serializer_class = CurrentUserSerializer

    def get_object(self):
        return self.request.user
