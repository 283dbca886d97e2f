"""The visits app's API routes (mounted under /api/v1/ by fhb/api/urls.py, by name)."""

from fhb.api.routers import Router

from .api import BookingViewSet, EventViewSet, FollowUpViewSet, RegistrationViewSet, VisitViewSet

router = Router()
router.register("visits", VisitViewSet, basename="visit")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("bookings", BookingViewSet, basename="booking")
router.register("events", EventViewSet, basename="event")
router.register("event-registrations", RegistrationViewSet, basename="registration")
urlpatterns: list = []
