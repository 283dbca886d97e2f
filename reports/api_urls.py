"""The reports app's API routes (mounted under /api/v1/ by fhb/api/urls.py, by name)."""

from django.urls import path

from fhb.api.routers import Router

from .api import DashboardAPIView, DeliveryViewSet, MonthViewSet, TargetingAPIView

router = Router()
router.register("dst-deliveries", DeliveryViewSet, basename="delivery")
router.register("dst-months", MonthViewSet, basename="dstmonth")
urlpatterns = [
    path("dashboard/", DashboardAPIView.as_view(), name="dashboard"),
    path("targeting/", TargetingAPIView.as_view(), name="targeting"),
]
