"""Floor endpoints: the serving stack with no work behind it."""

from django.http import JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView

FLOOR_BODY = {"status": "ok", "floor": True}


def floor(request):
    return JsonResponse(FLOOR_BODY)


class DrfFloor(APIView):
    """The floor as DRF serves it, to split framework cost from query cost."""

    def get(self, request):
        return Response(FLOOR_BODY)
