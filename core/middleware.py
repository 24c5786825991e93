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


# Every page takes its scripts, styles, fonts, images and data from this server only: the
# platform's servers and their users reach nothing outside (no CDN, tile or font server),
# so a page or a vendored bundle that reaches out is stopped by the browser rather than
# left hanging on the network. Inline scripts and styles stay allowed: the templates and
# drf-spectacular's Swagger page use them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sets CONTENT_SECURITY_POLICY on every answer that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
