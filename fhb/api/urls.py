"""The API under /api/v1/: the core's routes, and each app's from its `api_urls` module, mounted by
name as Django's `include` mounts a URLconf (the project's wiring imports no app). One router, so
the browsable API's root lists every endpoint."""

from importlib import import_module

from .access_log import AccessLogViewSet
from .routers import Router
from .views import CitizenViewSet, HospitalNotificationViewSet, OfferViewSet, RiskEventViewSet, RiskGroupViewSet

APPS = ("visits", "invitations", "reports")

router = Router()
router.register("citizens", CitizenViewSet, basename="citizen")
router.register("risk-events", RiskEventViewSet, basename="riskevent")
router.register("risk-groups", RiskGroupViewSet, basename="riskgroup")
router.register("offers", OfferViewSet, basename="offer")
router.register("hospital-notifications", HospitalNotificationViewSet, basename="hospitalnotification")
router.register("access-log", AccessLogViewSet, basename="accesslog")
urlpatterns: list = []
for app in APPS:
    routes = import_module(f"{app}.api_urls")
    router.registry.extend(routes.router.registry)
    urlpatterns += routes.urlpatterns
urlpatterns += router.urls
