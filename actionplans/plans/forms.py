"""Forms for building and running a plan. They validate and normalise what was typed;
actionplans.plans.services and partners.services save it.

No field offers a long dropdown. Posts and people, of which a partnership has hundreds,
are found by typing: the text narrows them to at most a score of matches, shown as radio
buttons, and a single match is taken as it is. Findings are limited to those of the
plan's own inspections, related actions are named by reference ("2.3, 4.1"), and the
thirty or so agencies are checkboxes.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from actionplans.access import PARTNERSHIP_MANAGER_ROLES
from actionplans.choices import PlanStatus, ReviewCadence
from actionplans.models import Action, Plan, Section
from foundation import limits
from foundation.forms import BritishDateField, SearchPickMixin
from inspections.models import Finding, Inspection
from partners.models import Agency, GovernanceBody, Post, User
from partners.selectors import posts_matching


def _text(
    label: str, *, required: bool = True, rows: int | None = None, limit: int | None = None, **kwargs
) -> forms.CharField:
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    if required:
        kwargs.setdefault("error_messages", {"required": f"Enter {label[0].lower()}{label[1:]}."})
    if limit:
        kwargs.update(limits.text_limit(limit, kwargs.get("error_messages")))
    return forms.CharField(label=label, required=required, **kwargs)


# --- Plan ----------------------------------------------------------------------------


class InspectionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        published = f", published {obj.published_on:%d %B %Y}" if obj.published_on else ""
        return f"{obj.title} ({obj.get_kind_display()}{published})"


class ManagerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        agency = f", {obj.agency.short_name}" if obj.agency_id else ""
        return f"{obj.full_name} ({obj.get_role_display()}{agency})"


class PlanForm(forms.Form):
    title = _text("Title", max_length=300, help_text="For example, “Joint Targeted Area Inspection action plan 2026”.")
    slug = forms.SlugField(
        label="Web address (optional)",
        required=False,
        max_length=80,
        help_text="Lower-case letters, numbers and hyphens. Left blank, it is made from the title.",
    )
    plan_date = BritishDateField(label="Date the plan was written")
    inspections = InspectionChoiceField(
        label="Inspections this plan answers",
        queryset=Inspection.objects.order_by("-published_on", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    monitoring_body = forms.ModelChoiceField(
        label="Monitored by (optional)",
        queryset=GovernanceBody.objects.order_by("name"),
        required=False,
        empty_label="Not decided yet",
        help_text="The board or group that challenges progress; its next meeting is shown with the plan.",
    )
    review_cadence_days = forms.TypedChoiceField(
        label="How often does each action need an update?",
        choices=ReviewCadence.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=ReviewCadence.MONTHLY,
    )
    uses_blue = forms.BooleanField(
        label="Show actions with their outcome evidenced as blue, not green", required=False, initial=True
    )
    revision_four_eyes = forms.BooleanField(
        label="A revised due date is decided by a manager other than the person who asked for it",
        required=False,
        initial=True,
        help_text="Four eyes, as for sign-off. Untick only where the plan has a single manager.",
    )
    introduction = _text("Introduction (optional)", required=False, rows=5, limit=limits.NARRATIVE_MAX,
                         help_text="Shown on the cover of the written statement of action.")
    managers = ManagerChoiceField(
        label="Plan managers",
        queryset=User.objects.filter(role__in=PARTNERSHIP_MANAGER_ROLES, is_active=True)
        .select_related("agency").order_by("full_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They build the plan, assign leads and approve updates. You manage the plans you create.",
    )

    @classmethod
    def initial_for(cls, plan: Plan) -> dict:
        return {
            "title": plan.title, "slug": plan.slug, "plan_date": plan.plan_date,
            "inspections": list(plan.inspections.all()), "monitoring_body": plan.monitoring_body,
            "review_cadence_days": plan.review_cadence_days, "uses_blue": plan.uses_blue,
            "revision_four_eyes": plan.revision_four_eyes, "introduction": plan.introduction, "managers": list(plan.managers.all()),
        }


class PlanStatusForm(forms.Form):
    """Confirms the one move the plan can make; a stale page (someone moved it already)
    is refused by the service."""

    status = forms.ChoiceField(choices=PlanStatus.choices, widget=forms.HiddenInput)


class PartnerSignOffForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label="Choose the agency", error_messages={"required": "Choose the agency that signed."},
    )
    person_name = _text("Name of the person who signed", max_length=150)
    post_title = _text("Their post", max_length=200, help_text="For example, “Chief Constable”.")
    signed_on = BritishDateField(label="Date signed")

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = self.fields["agency"].queryset.exclude(plan_sign_offs__plan=plan)


class BoardSignOffForm(forms.Form):
    body = forms.ModelChoiceField(
        label="Board or committee", queryset=GovernanceBody.objects.order_by("name"),
        empty_label="Choose the board or committee", error_messages={"required": "Choose the board or committee."},
    )
    signed_on = BritishDateField(label="Date of the meeting that approved the plan")
    minute_reference = forms.CharField(label="Minute reference (optional)", required=False, max_length=100)


# --- Sections ------------------------------------------------------------------------


def sections_in_plan_order(plan: Plan):
    """A plan's sections as the plan lists them: each main section, then its sub-sections."""
    return plan.sections.order_by(
        Coalesce("parent__order", "order"), Coalesce("parent_id", "id"), F("parent_id").asc(nulls_first=True),
        "order", "id",
    )


class SectionForm(forms.Form):
    number = _text("Number", max_length=12, help_text="As the plan numbers it, for example “2” or “2.1”.")
    title = _text("Title", max_length=300)
    parent = forms.ModelChoiceField(
        label="Part of section (optional)", queryset=Section.objects.none(), required=False,
        empty_label="None: a main section", help_text="Sections nest one level: 2.1 can sit in 2.",
    )
    issues_raised = _text("Issues raised (optional)", required=False, rows=4, limit=limits.ISSUES_RAISED_MAX,
                          help_text="What the inspectors raised, as the plan quotes it.")

    def __init__(self, *args, plan: Plan, section: Section | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = plan.sections.filter(parent__isnull=True).order_by("order", "id")
        if section is not None:
            parents = parents.exclude(pk=section.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda s: f"{s.number} {s.title}"


class ActionsOrderForm(forms.Form):
    """One position box per action of a section; sorting by them gives the new order."""

    renumber = forms.BooleanField(
        label="Renumber the actions after the section in their new order", required=False, initial=True,
    )

    def __init__(self, *args, section: Section, actions: list[Action], **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = actions
        n = section.number
        self.fields["renumber"].help_text = f"As {n}.1, {n}.2, {n}.3 and so on. Untick to keep their references."
        for position, action in enumerate(actions, start=1):
            self.fields[f"position_{action.pk}"] = forms.IntegerField(
                label=f"Position of {action.reference}", min_value=1, initial=position,
                help_text=action.description[:120],
                error_messages={"required": f"Give {action.reference} a position.",
                                "invalid": f"Give {action.reference} a position as a whole number."},
            )

    def ordered_actions(self) -> list[Action]:
        """Actions sorted by the positions given; ties keep their old order."""
        return sorted(
            self.actions,
            key=lambda a: (self.cleaned_data[f"position_{a.pk}"], self.actions.index(a)),
        )


# --- Actions -------------------------------------------------------------------------


class FindingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        text = obj.text if len(obj.text) <= 160 else obj.text[:159] + "…"
        paragraphs = f"Paragraph {obj.paragraphs}. " if obj.paragraphs else ""
        return f"{paragraphs}{text} ({obj.get_kind_display()})"


def _post_label(post: Post) -> str:
    return f"{post.title}, {post.agency.name}"


class ActionForm(SearchPickMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    section = forms.ModelChoiceField(label="Section", queryset=Section.objects.none(), required=False,
                                     empty_label="No section")
    reference = forms.CharField(
        label="Reference (optional)", required=False, max_length=20,
        help_text="Left blank, the action is numbered next in its section, for example 2.3.",
    )
    description = _text("Action", rows=4, limit=limits.ACTION_TEXT_MAX, help_text="What will be done.")
    outcome = _text("What will be different (optional)", required=False, rows=3, limit=limits.ACTION_TEXT_MAX)
    success_measure = _text("How will we know (optional)", required=False, rows=3, limit=limits.ACTION_TEXT_MAX)
    lead_post_query = forms.CharField(
        label="Lead post (optional)", required=False, max_length=250,
        help_text="Type part of the post's title or its agency, for example “Principal Social Worker” or “TVP”.",
    )
    lead_post = forms.ModelChoiceField(
        label="Choose the lead post", queryset=Post.objects.none(), required=False, widget=forms.RadioSelect,
        empty_label=None,
    )
    lead_text = forms.CharField(
        label="Lead as the plan writes it (optional)", required=False, max_length=300,
        help_text="Where the plan names more than a post, for example “Chair of MASH Steering Group with TVP”.",
    )
    partner_agencies = forms.ModelMultipleChoiceField(
        label="Partner agencies supporting this action (optional)",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False, widget=forms.CheckboxSelectMultiple,
    )
    start_date = BritishDateField(label="Start date (optional)", required=False)
    due_date = BritishDateField(label="Due date (optional)", required=False)
    due_text = forms.CharField(
        label="Due date as the plan writes it (optional)", required=False, max_length=300,
        help_text="For example “From 09/2016” or “Immediately”.",
    )
    findings = FindingChoiceField(
        label="Findings this action answers (optional)", queryset=Finding.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The findings of the inspections this plan answers.",
    )
    related = forms.CharField(
        label="Related actions (optional)", required=False, max_length=500,
        help_text="References of other actions in this plan, separated by commas, for example “2.3, 4.1”.",
    )

    def __init__(self, *args, plan: Plan, action: Action | None = None, **kwargs):
        if action is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(action)
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.action = action
        self.fields["section"].queryset = sections_in_plan_order(plan)
        if action is not None:
            # An agency no longer active stays on the actions it already supports.
            self.fields["partner_agencies"].queryset = Agency.objects.filter(
                Q(is_active=True) | Q(supported_actions=action)
            ).distinct().order_by("name")
        self.fields["section"].label_from_instance = lambda s: f"{s.number} {s.title}"
        # The findings of the plan's inspections, and any the action already answers.
        findings = Q(inspection__plans=plan) | (Q(actions=action) if action is not None else Q(pk__in=[]))
        self.fields["findings"].queryset = (
            Finding.objects.filter(findings).distinct().select_related("inspection").order_by("inspection", "order", "id")
        )
        if not self.fields["findings"].queryset.exists():
            del self.fields["findings"]
        if action is None:
            del self.fields["version"]
        else:
            self.fields["reference"].required = True
            self.fields["reference"].label = "Reference"
            self.fields["reference"].help_text = "Unique in the plan, for example 2.3."
            if plan.status != PlanStatus.DRAFT and action.due_date is not None:
                # Once approved, due dates move by a revised-date request (which keeps the original).
                del self.fields["due_date"]
        self._set_up_pick("lead_post", posts_matching, current=getattr(action, "lead_post", None),
                          label_for=_post_label)

    @staticmethod
    def initial_for(action: Action) -> dict:
        return {
            "version": action.version, "section": action.section_id, "reference": action.reference,
            "description": action.description, "outcome": action.outcome,
            "success_measure": action.success_measure,
            "lead_post_query": str(action.lead_post) if action.lead_post_id else "",
            "lead_post": action.lead_post_id, "lead_text": action.lead_text,
            "partner_agencies": [a.pk for a in action.partner_agencies.all()],
            "start_date": action.start_date, "due_date": action.due_date, "due_text": action.due_text,
            "findings": [f.pk for f in action.findings.all()],
            "related": ", ".join(link.to_action.reference for link in action.links_out.select_related("to_action")),
        }

    def clean_related(self) -> list[Action]:
        refs = [r for r in re.split(r"[,;\s]+", self.cleaned_data["related"]) if r]
        if not refs:
            return []
        found = {a.reference: a for a in self.plan.actions.filter(reference__in=refs)}
        missing = [r for r in refs if r not in found]
        if missing:
            raise forms.ValidationError(f"This plan has no action {', '.join(missing)}.")
        if self.action is not None and self.action.reference in refs:
            raise forms.ValidationError("An action cannot be related to itself.")
        return list({a.pk: a for a in (found[r] for r in refs)}.values())

    def clean(self):
        cleaned = super().clean()
        cleaned["lead_post"] = self._clean_pick("lead_post", "post", "posts")
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be on or after the start date.")
        return cleaned

    def service_fields(self) -> dict:
        """The action's own fields, for plan_services (the many-to-many ones apart)."""
        names = ["section", "reference", "description", "outcome", "success_measure", "lead_post", "lead_text",
                 "start_date", "due_date", "due_text"]
        return {n: self.cleaned_data[n] for n in names if n in self.fields or n == "lead_post"}
