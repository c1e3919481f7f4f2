"""The service navigation: one list, shown on every page, filtered to what exists and to
what the signed-in person may open (actionplans.access)."""

from django.urls import NoReverseMatch, reverse

from actionplans import access

# (label, url name, who sees it: a predicate of actionplans.access; None = everyone signed in)
NAVIGATION = [
    ("My actions", "actionplans:my_actions", access.can_update_actions),
    ("Dashboard", "actionplans:dashboard", None),
    ("Plans", "actionplans:plan_list", None),
    ("Actions", "actionplans:action_list", None),
    ("Inspections", "inspections:inspection_list", None),
    ("Agencies", "partners:agency_list", None),
    ("Reports", "reports:job_list", None),
    ("Import a plan", "actionplans:import_start", access.can_manage_partnership),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"navigation": []}
    items = []
    for label, url_name, may_open in NAVIGATION:
        if may_open is not None and not may_open(user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # a page not built yet
        items.append({"label": label, "url": url, "active": False})
    if user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "active": False})
    # Only the item whose address is the longest prefix of this page is current, so that
    # /plans/<slug>/dashboard/ marks neither "Plans" nor anything else by accident.
    matching = [item for item in items if request.path.startswith(item["url"]) and item["url"] != "/"]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"navigation": items}
