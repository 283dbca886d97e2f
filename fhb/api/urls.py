from rest_framework.routers import DefaultRouter

from visits.api import VisitViewSet

from .views import CitizenViewSet, OfferViewSet, RiskEventViewSet, RiskGroupViewSet

router = DefaultRouter()
router.register("citizens", CitizenViewSet, basename="citizen")
router.register("risk-events", RiskEventViewSet, basename="riskevent")
router.register("risk-groups", RiskGroupViewSet, basename="riskgroup")
router.register("offers", OfferViewSet, basename="offer")
router.register("visits", VisitViewSet, basename="visit")
urlpatterns = router.urls
