"""The coverage matrix and linking findings to actions, under /inspections/ and in the
``inspections`` namespace they have always had: config/urls.py joins these patterns to
inspections.urls, so ``inspections:coverage`` and ``inspections:finding_actions`` are
unchanged while inspections imports nothing of the actions."""

from django.urls import path

from actionplans.coverage import views

urlpatterns = [
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("findings/<int:pk>/actions/", views.finding_actions, name="finding_actions"),
]
