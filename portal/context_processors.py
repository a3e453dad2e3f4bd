from django.conf import settings


def portal(request):
    return {"PLACES_TARGET_PER_1000": settings.PLACES_TARGET_PER_1000,
            "LARGE_TEXT": request.COOKIES.get("text_size") == "large"}
