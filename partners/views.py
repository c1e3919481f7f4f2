from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from actionplans.selectors import plans_for_list, waiting_for


@login_required
def home(request):
    today = timezone.localdate()
    context = {
        "plans": plans_for_list(request.user).only("title", "slug", "status"),
        "waiting": waiting_for(request.user, today),
    }
    return render(request, "partners/home.html", context)


def accessibility(request):
    return render(request, "partners/accessibility.html")


def privacy(request):
    return render(request, "partners/privacy.html")
