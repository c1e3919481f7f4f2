"""URL patterns included by actionplans/urls.py (same namespace): the directors' dashboards
and the measure pages."""

from django.urls import path

from actionplans import dashboard_views

urlpatterns: list = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("plans/<slug:slug>/dashboard/", dashboard_views.plan_dashboard, name="plan_dashboard"),
    path("measures/<int:pk>/", dashboard_views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/values/add/", dashboard_views.measure_value_add, name="measure_value_add"),
    path("measures/<int:pk>/values/upload/", dashboard_views.measure_values_upload, name="measure_values_upload"),
]
