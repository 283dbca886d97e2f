"""Language: Danish unless the user chose English (the language cookie). Staff browsers are often
set to English; the system's language is still Danish."""

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpResponse
from django.utils import translation

from .registry.jobs import MAX_UPLOAD_BYTES


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body before anything reads it: over the largest upload plus a margin for
    anyone (413), and over 1 MiB from someone who is not logged in (403) — an anonymous 200 MB POST
    was read and stored to disk by the CSRF check before the redirect to the login page. Placed
    after the session middleware (to know who is logged in) and before CSRF (which reads bodies)."""

    ANONYMOUS_LIMIT = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = MAX_UPLOAD_BYTES + 1024 * 1024

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            return HttpResponse(
                "Filen er for stor (højst 200 MB).", status=413, content_type="text/plain; charset=utf-8"
            )
        if length > self.ANONYMOUS_LIMIT and not get_user(request).is_authenticated:
            return HttpResponse("Log ind, før du sender data.", status=403, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
