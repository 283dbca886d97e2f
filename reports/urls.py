"""The reports app's pages (the project's URLconf, fhb/urls.py, mounts them by name)."""

from django.urls import path

from . import views

urlpatterns = [
    path("statistik/", views.StatisticsView.as_view(), name="statistics"),
    path("statistik/indberet/", views.DeliveryCreateView.as_view(), name="delivery-create"),
    path(
        "statistik/<int:year>/maaned/<int:month>/godkend/",
        views.MonthApproveView.as_view(),
        name="month-approve",
    ),
    path("statistik/indberetninger/<int:pk>/", views.DeliveryDetailView.as_view(), name="delivery-detail"),
    path("statistik/indberetninger/<int:pk>/genstart/", views.DeliveryRestartView.as_view(), name="delivery-restart"),
    path(
        "statistik/indberetninger/<int:pk>/filer/<str:kind>/",
        views.DeliveryFileView.as_view(),
        name="delivery-file",
    ),
    path(
        "statistik/indberetninger/<int:pk>/godkendelsesrapport/",
        views.ApprovalReportView.as_view(),
        name="approval-report",
    ),
    path("overblik/", views.DashboardView.as_view(), name="dashboard"),
    path("overblik/maalretning/", views.TargetingView.as_view(), name="targeting"),
    path("overblik/aarsrapport.pdf", views.CouncilReportView.as_view(), name="council-report"),
]
