from rest_framework.routers import DefaultRouter

from .views import CitizenViewSet, RiskEventViewSet, RiskGroupViewSet

router = DefaultRouter()
router.register("citizens", CitizenViewSet, basename="citizen")
router.register("risk-events", RiskEventViewSet, basename="riskevent")
router.register("risk-groups", RiskGroupViewSet, basename="riskgroup")
urlpatterns = router.urls
