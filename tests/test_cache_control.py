"""Security finding 12: nothing shown to a signed-in person may be kept by a cache. Every
response to them says ``Cache-Control: private, no-store``: pages, evidence files, exports and
papers; a view's own stricter header is kept, and what is public stays cacheable."""

import pytest
from django.urls import reverse

from tests.test_access_walk import world  # noqa: F401 - the walk's world: plans, evidence, papers

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    if response.streaming:
        b"".join(response.streaming_content)
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("role", ["officer", "partner", "clerk"])
def test_pages_and_downloads_to_a_signed_in_person_are_not_stored(world, role):  # noqa: F811
    w = world
    client = w.client(role)
    urls = [
        reverse("actionplans:my_actions"),
        reverse("actionplans:plan_detail", args=[w.mix.slug]),
        reverse("actionplans:action_detail", args=[w.a_mix_b.pk]),
        reverse("actionplans:evidence_download", args=[w.ev_mix_b.pk]),
        reverse("actionplans:action_export") + "?format=csv",
        reverse("actionplans:action_export") + "?format=xlsx",
    ]
    if role != "partner":  # a partner officer gets no whole-plan paper
        urls += [reverse("reports:job_download", args=[w.job_mix_pdf.pk]),
                 reverse("reports:job_download", args=[w.job_a_docx.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= cache_control(response), (url, response.get("Cache-Control"))
        assert "public" not in cache_control(response), url


def test_refusals_and_redirects_to_a_signed_in_person_are_not_stored(world):  # noqa: F811
    client = world.client("outsider")
    for url, status in [(reverse("actionplans:action_detail", args=[world.a_mix_a.pk]), 404),
                        (reverse("actionplans:plan_create"), 403)]:
        response = client.get(url)
        assert response.status_code == status
        assert {"private", "no-store"} <= cache_control(response), url


def test_a_views_own_header_and_public_responses_are_kept(world):  # noqa: F811
    client = world.client("officer")
    health = client.get(reverse("healthz"))
    assert {"no-store", "no-cache", "must-revalidate"} <= cache_control(health)
    theme = client.get(reverse("theme_css"))
    assert cache_control(theme) == {"max-age=3600", "public"}


def test_signed_out_pages_are_left_alone(world):  # noqa: F811
    response = world.client("anonymous").get(reverse("accessibility"))
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
