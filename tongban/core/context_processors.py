from django.conf import settings


def site(request):
    return {"site_name": settings.TONGBAN_SITE_NAME}
