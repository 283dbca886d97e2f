"""The visits app's pages (the project's URLconf, fhb/urls.py, mounts them by name)."""

from django.urls import path

from . import views

urlpatterns = [
    path("borgere/<int:pk>/besoeg/ny/", views.VisitCreateView.as_view(), name="visit-create"),
    path("besoeg/<int:pk>/", views.VisitEditView.as_view(), name="visit-edit"),
    path("borgere/<int:pk>/book/", views.BookingCreateView.as_view(), name="booking-create"),
    path("bookinger/<int:pk>/aflys/", views.BookingCancelView.as_view(), name="booking-cancel"),
    path("bookinger/<int:pk>/fortryd/", views.BookingRestoreView.as_view(), name="booking-restore"),
    path("opfoelgninger/<int:pk>/afslut/", views.FollowUpCloseView.as_view(), name="follow-up-close"),
    path("opfoelgninger/<int:pk>/genaabn/", views.FollowUpReopenView.as_view(), name="follow-up-reopen"),
    path("min-dag/", views.AgendaView.as_view(), name="agenda"),
    path("arrangementer/", views.EventListView.as_view(), name="event-list"),
    path("arrangementer/nyt/", views.EventFormView.as_view(), name="event-create"),
    path("arrangementer/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("arrangementer/<int:pk>/ret/", views.EventFormView.as_view(), name="event-edit"),
    path("arrangementer/<int:pk>/aflys/", views.EventCancelView.as_view(), name="event-cancel"),
    path("borgere/<int:pk>/arrangement/", views.EventAddCitizenView.as_view(), name="citizen-event-add"),
    path("arrangementer/<int:pk>/inviter/", views.EventInviteView.as_view(), name="event-invite"),
    path("arrangementer/<int:pk>/indtjekning/", views.EventCheckInView.as_view(), name="event-checkin"),
    path("tilmeldinger/<int:pk>/", views.RegistrationActionView.as_view(), name="registration-action"),
]
