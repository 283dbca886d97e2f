"""The invitations app's pages (the project's URLconf, fhb/urls.py, mounts them by name)."""

from django.urls import path

from . import views, views_trial

urlpatterns = [
    path("maalgrupper/proev/", views_trial.TrialView.as_view(), name="target-group-trial"),
    path("breve/", views.BatchListView.as_view(), name="batch-list"),
    path("breve/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("breve/<int:pk>/<slug:action>/", views.BatchActionView.as_view(), name="batch-action"),
    path("breve/<int:pk>/filer/<str:name>", views.BatchFileView.as_view(), name="batch-file"),
    path("breve/brev/<int:pk>.pdf", views.LetterPdfView.as_view(), name="letter-pdf"),
    path("breve/brev/<int:pk>/svar/", views.LetterRespondView.as_view(), name="letter-respond"),
    path("ringeliste/", views.CallListView.as_view(), name="call-list"),
    path("ringeliste/<int:pk>/opkald/", views.CallRecordView.as_view(), name="call-record"),
    path("brevtekster/", views.TemplateListView.as_view(), name="letter-templates"),
    path("brevtekster/<slug:kind>/", views.TemplateEditView.as_view(), name="letter-template-edit"),
    path("kapacitet/", views.CapacityView.as_view(), name="capacity"),
    path("kapacitet/<int:pk>/", views.CalendarEditView.as_view(), name="calendar-edit"),
]
