from django.urls import path
from rest_framework.routers import DefaultRouter

from invitations.api import LetterBatchViewSet, LetterViewSet
from reports.api import DashboardAPIView, DeliveryViewSet, MonthViewSet
from visits.api import BookingViewSet, EventViewSet, FollowUpViewSet, RegistrationViewSet, VisitViewSet

from .access_log import AccessLogViewSet
from .views import CitizenViewSet, HospitalNotificationViewSet, OfferViewSet, RiskEventViewSet, RiskGroupViewSet


class Router(DefaultRouter):
    """No `.json` suffix routes: the custom actions do not take a `format` argument (they answered
    500), and the format is chosen by the Accept header or `?format=`."""

    include_format_suffixes = False


router = Router()
router.register("citizens", CitizenViewSet, basename="citizen")
router.register("risk-events", RiskEventViewSet, basename="riskevent")
router.register("risk-groups", RiskGroupViewSet, basename="riskgroup")
router.register("offers", OfferViewSet, basename="offer")
router.register("visits", VisitViewSet, basename="visit")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("bookings", BookingViewSet, basename="booking")
router.register("events", EventViewSet, basename="event")
router.register("event-registrations", RegistrationViewSet, basename="registration")
router.register("hospital-notifications", HospitalNotificationViewSet, basename="hospitalnotification")
router.register("dst-deliveries", DeliveryViewSet, basename="delivery")
router.register("dst-months", MonthViewSet, basename="dstmonth")
router.register("letter-batches", LetterBatchViewSet, basename="letterbatch")
router.register("letters", LetterViewSet, basename="letter")
router.register("access-log", AccessLogViewSet, basename="accesslog")
urlpatterns = [path("dashboard/", DashboardAPIView.as_view(), name="dashboard"), *router.urls]
