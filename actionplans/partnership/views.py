"""The pages that list actions from the partnership's side: the home page (the plans and
what waits for the person) and the agency and post pages (RAG counts, the actions led and
supported, handing a post over). They are above the actions, so they live here; their URL
names stay in the ``partners`` namespace (actionplans/partnership/urls.py) and their
templates keep their names under partners/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from actionplans.access import can_manage_partnership
from actionplans.actions.selectors import plans_for_list, waiting_for
from actionplans.partnership.selectors import (
    agencies_for_list,
    agency_for_page,
    post_for_change,
    post_for_page,
)
from foundation.web import add_service_errors
from partners.forms import PostHolderForm
from partners.services import post_holder_change


@login_required
def home(request):
    today = timezone.localdate()
    context = {
        "plans": plans_for_list(request.user).only("title", "slug", "status"),
        "waiting": waiting_for(request.user, today),
    }
    return render(request, "partners/home.html", context)



# --- Agencies and posts ----------------------------------------------------------------
# Every list is scoped by actionplans.access: an agency or post out of scope is a 404;
# changing who holds a post is for plan managers and administrators (otherwise a 403).


@login_required
def agency_list(request):
    today = timezone.localdate()
    return render(request, "partners/agency_list.html", {"rows": agencies_for_list(request.user, today)})


@login_required
def agency_detail(request, pk: int):
    today = timezone.localdate()
    page = agency_for_page(request.user, pk, today)
    return render(request, "partners/agency_detail.html", {"page": page, "agency": page.agency, "today": today})


@login_required
def post_detail(request, pk: int):
    today = timezone.localdate()
    page = post_for_page(request.user, pk, today)
    context = {
        "page": page,
        "post": page.post,
        "today": today,
        "can_change_holder": can_manage_partnership(request.user),
    }
    return render(request, "partners/post_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_reassign(request, pk: int):
    today = timezone.localdate()
    post = post_for_change(request.user, pk)
    if not can_manage_partnership(request.user):
        raise PermissionDenied("Only a plan manager or an administrator can change who holds a post.")
    form = PostHolderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holding = post_holder_change(post=post, new_person=data["new_person"], on=data["on"], changed_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc, field_names={"new_person": "new_person_query"})
        else:
            messages.success(
                request,
                f"{holding.person} holds this post from {holding.started_on.day} {holding.started_on:%B %Y}, "
                "and leads its actions from then.",
            )
            return redirect("partners:post_detail", pk=post.pk)
    page = post_for_page(request.user, pk, today)
    return render(request, "partners/post_reassign.html", {"form": form, "post": post, "page": page})


