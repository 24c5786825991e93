from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ScreensInFrenchMiddleware(LocaleMiddleware):
    """The screens and their documents are written in French for their users, whatever the
    browser asks: part of them is French text in the templates, and an English browser got
    half a page in English. The API follows Accept-Language (French by default, `en` gives
    English messages), as its contract says."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None
