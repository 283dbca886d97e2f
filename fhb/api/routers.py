"""The API's router, shared by every app's `api_urls.py`."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    """No `.json` suffix routes: the custom actions do not take a `format` argument (they answered
    500), and the format is chosen by the Accept header or `?format=`."""

    include_format_suffixes = False
