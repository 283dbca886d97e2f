from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

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
    path("borgere/<int:pk>/henvendelse/", views.ReferralView.as_view(), name="citizen-referral"),
    path("import/", views.ImportListView.as_view(), name="import-list"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("import/<int:pk>/fejl.csv", views.ImportErrorReportView.as_view(), name="import-errors"),
    path("import/<int:pk>/genstart/", views.ImportRestartView.as_view(), name="import-restart"),
    # Each app's pages, mounted by name: the project's wiring imports no app.
    path("", include("visits.urls")),
    path("", include("invitations.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include(("fhb.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if settings.SAML_METADATA_FILE:
    urlpatterns.append(path("saml2/", include("djangosaml2.urls")))

handler404 = "fhb.views.page_not_found"
