"""The agency and post pages, under /partnership/ in the ``partners`` namespace they have
always had (``partners:agency_detail`` ...): the pages moved above the actions, their names
did not."""

from django.urls import path

from actionplans.partnership import views

app_name = "partners"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/holder/", views.post_reassign, name="post_reassign"),
]
