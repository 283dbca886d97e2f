"""The invitations app's API routes (mounted under /api/v1/ by fhb/api/urls.py, by name)."""

from django.urls import path

from fhb.api.routers import Router

from .api import ClosingDayViewSet, LetterBatchViewSet, LetterViewSet
from .api_trial import QualityStandardAPIView, TargetGroupDraftAPIView, TargetGroupTrialAPIView

router = Router()
router.register("letter-batches", LetterBatchViewSet, basename="letterbatch")
router.register("letters", LetterViewSet, basename="letter")
router.register("closing-days", ClosingDayViewSet, basename="closingday")
urlpatterns = [
    path("target-groups/trial/", TargetGroupTrialAPIView.as_view(), name="target-group-trial"),
    path("quality-standards/<int:year>/", QualityStandardAPIView.as_view(), name="quality-standard"),
    path("quality-standards/<int:year>/draft/", TargetGroupDraftAPIView.as_view(), name="target-group-draft"),
]
