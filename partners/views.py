from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from actionplans.models import Plan
from partners.permissions import plans_visible_to


@login_required
def home(request):
    plans = plans_visible_to(request.user, Plan.objects.all()).only("title", "slug", "status")
    return render(request, "partners/home.html", {"plans": plans})
