"""The invitations app's API routes (mounted under /api/v1/ by fhb/api/urls.py, by name)."""

from fhb.api.routers import Router

from .api import LetterBatchViewSet, LetterViewSet

router = Router()
router.register("letter-batches", LetterBatchViewSet, basename="letterbatch")
router.register("letters", LetterViewSet, basename="letter")
urlpatterns: list = []
