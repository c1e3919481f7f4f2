"""factory_boy factories for every model the tests build."""

import datetime as dt

import factory
from django.utils import timezone

from actionplans import models as ap
from actionplans.choices import ActionStatus
from inspections import models as insp
from inspections.choices import FindingKind, InspectionKind
from partners import models as pm
from partners.choices import BodyKind, Role, Sector

PASSWORD = "correct-horse-battery"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"AG{n}")
    sector = Sector.LOCAL_AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            # As for an account an administrator issues: its address is verified.
            from partners.services import account_email_confirm

            account_email_confirm(user=obj)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Post

    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Post {n}")


class PostHoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.PostHolding

    post = factory.SubFactory(PostFactory)
    person = factory.SubFactory(UserFactory)
    started_on = dt.date(2020, 1, 1)


class GovernanceBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.GovernanceBody

    name = factory.Sequence(lambda n: f"Body {n}")
    kind = BodyKind.BOARD


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Meeting

    body = factory.SubFactory(GovernanceBodyFactory)
    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=30 * n))


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = insp.Inspection

    title = factory.Sequence(lambda n: f"Inspection {n}")
    kind = InspectionKind.JTAI
    inspectorates = factory.LazyFunction(lambda: ["ofsted", "cqc"])
    area = "Testshire"
    published_on = dt.date(2016, 5, 1)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = insp.Finding

    inspection = factory.SubFactory(InspectionFactory)
    kind = FindingKind.AREA_FOR_IMPROVEMENT
    text = factory.Sequence(lambda n: f"Finding {n}: practice is not consistently good.")
    paragraphs = "42"
    theme = "Assessments"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Plan

    title = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    plan_date = dt.date(2016, 7, 1)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Section

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Action

    plan = factory.SubFactory(PlanFactory)
    section = factory.LazyAttribute(lambda o: SectionFactory(plan=o.plan))
    reference = factory.Sequence(lambda n: f"A{n}")
    order = factory.Sequence(lambda n: n)
    description = factory.Sequence(lambda n: f"Do thing {n}")
    outcome = "Children are safer."
    success_measure = "Audits show it."
    lead_post = factory.SubFactory(PostFactory)
    due_date = dt.date(2030, 1, 31)
    status = ActionStatus.IN_PROGRESS


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    as_of = factory.LazyFunction(timezone.localdate)
    author = factory.SubFactory(UserFactory)
    narrative = "Progress made."
    proposed_rag = "green"
    status = ActionStatus.IN_PROGRESS


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Evidence

    action = factory.SubFactory(ActionFactory)
    url = "https://example.org/minutes"
    kind = "link"
    description = "Board minutes"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Measure

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "percent"
    direction = "up"
