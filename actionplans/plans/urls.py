"""URL patterns included by actionplans/urls.py (same namespace): the plans and the plan
managers' pages that build them. "plans/new/" comes before the plan's own address, and
plans.services keeps "new" out of the slugs."""

from django.urls import path

from actionplans.plans import views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<slug:slug>/status/", views.plan_status, name="plan_status"),
    path("plans/<slug:slug>/sign-offs/partner/", views.partner_sign_off_create, name="partner_sign_off_create"),
    path("plans/<slug:slug>/sign-offs/board/", views.board_sign_off_create, name="board_sign_off_create"),
    path("plans/<slug:slug>/sections/new/", views.section_create, name="section_create"),
    path("plans/<slug:slug>/sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("plans/<slug:slug>/sections/<int:pk>/move/", views.section_move, name="section_move"),
    path("plans/<slug:slug>/sections/<int:pk>/order/", views.section_order, name="section_order"),
    path("plans/<slug:slug>/actions/new/", views.action_create, name="action_create"),
    path("plans/<slug:slug>/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
]
