from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from invitations import views as invitations_views
from reports import views as reports_views
from visits import views as visits_views

from . import views, views_due

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("borgere/", views.CitizenListView.as_view(), name="citizen-list"),
    path("borgere/<int:pk>/", views.CitizenDetailView.as_view(), name="citizen-detail"),
    path("borgere/<int:pk>/opslag/", views.CitizenAccessLogView.as_view(), name="citizen-accesses"),
    path("opslagslog/", views.AccessControlView.as_view(), name="access-control"),
    path("maalgrupper/", views_due.DueListView.as_view(), name="due-list"),
    path("maalgrupper/beregn/", views_due.DueListSyncView.as_view(), name="due-list-sync"),
    path("tilbud/<int:pk>/status/", views_due.OfferStatusView.as_view(), name="offer-status"),
    path("borgere/<int:pk>/besoeg/ny/", visits_views.VisitCreateView.as_view(), name="visit-create"),
    path("besoeg/<int:pk>/", visits_views.VisitEditView.as_view(), name="visit-edit"),
    path("borgere/<int:pk>/henvendelse/", views.ReferralView.as_view(), name="citizen-referral"),
    path("borgere/<int:pk>/book/", visits_views.BookingCreateView.as_view(), name="booking-create"),
    path("bookinger/<int:pk>/aflys/", visits_views.BookingCancelView.as_view(), name="booking-cancel"),
    path("opfoelgninger/<int:pk>/afslut/", visits_views.FollowUpCloseView.as_view(), name="follow-up-close"),
    path("min-dag/", visits_views.AgendaView.as_view(), name="agenda"),
    path("arrangementer/", visits_views.EventListView.as_view(), name="event-list"),
    path("arrangementer/nyt/", visits_views.EventFormView.as_view(), name="event-create"),
    path("arrangementer/<int:pk>/", visits_views.EventDetailView.as_view(), name="event-detail"),
    path("arrangementer/<int:pk>/ret/", visits_views.EventFormView.as_view(), name="event-edit"),
    path("arrangementer/<int:pk>/aflys/", visits_views.EventCancelView.as_view(), name="event-cancel"),
    path("borgere/<int:pk>/arrangement/", visits_views.EventAddCitizenView.as_view(), name="citizen-event-add"),
    path("arrangementer/<int:pk>/inviter/", visits_views.EventInviteView.as_view(), name="event-invite"),
    path("arrangementer/<int:pk>/indtjekning/", visits_views.EventCheckInView.as_view(), name="event-checkin"),
    path("tilmeldinger/<int:pk>/", visits_views.RegistrationActionView.as_view(), name="registration-action"),
    path("import/", views.ImportListView.as_view(), name="import-list"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("import/<int:pk>/fejl.csv", views.ImportErrorReportView.as_view(), name="import-errors"),
    path("statistik/", reports_views.StatisticsView.as_view(), name="statistics"),
    path("statistik/indberet/", reports_views.DeliveryCreateView.as_view(), name="delivery-create"),
    path(
        "statistik/<int:year>/maaned/<int:month>/godkend/",
        reports_views.MonthApproveView.as_view(),
        name="month-approve",
    ),
    path("statistik/indberetninger/<int:pk>/", reports_views.DeliveryDetailView.as_view(), name="delivery-detail"),
    path(
        "statistik/indberetninger/<int:pk>/filer/<str:kind>/",
        reports_views.DeliveryFileView.as_view(),
        name="delivery-file",
    ),
    path(
        "statistik/indberetninger/<int:pk>/godkendelsesrapport/",
        reports_views.ApprovalReportView.as_view(),
        name="approval-report",
    ),
    path("overblik/", reports_views.DashboardView.as_view(), name="dashboard"),
    path("overblik/aarsrapport.pdf", reports_views.CouncilReportView.as_view(), name="council-report"),
    path("breve/", invitations_views.BatchListView.as_view(), name="batch-list"),
    path("breve/<int:pk>/", invitations_views.BatchDetailView.as_view(), name="batch-detail"),
    path("breve/<int:pk>/<slug:action>/", invitations_views.BatchActionView.as_view(), name="batch-action"),
    path("breve/<int:pk>/filer/<str:name>", invitations_views.BatchFileView.as_view(), name="batch-file"),
    path("breve/brev/<int:pk>.pdf", invitations_views.LetterPdfView.as_view(), name="letter-pdf"),
    path("breve/brev/<int:pk>/svar/", invitations_views.LetterRespondView.as_view(), name="letter-respond"),
    path("ringeliste/", invitations_views.CallListView.as_view(), name="call-list"),
    path("brevtekster/", invitations_views.TemplateListView.as_view(), name="letter-templates"),
    path("brevtekster/<slug:kind>/", invitations_views.TemplateEditView.as_view(), name="letter-template-edit"),
    path("kapacitet/", invitations_views.CapacityView.as_view(), name="capacity"),
    path("kapacitet/<int:pk>/", invitations_views.CalendarEditView.as_view(), name="calendar-edit"),
    path("api/v1/", include(("fhb.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if settings.SAML_METADATA_FILE:
    urlpatterns.append(path("saml2/", include("djangosaml2.urls")))

handler404 = "fhb.views.page_not_found"
