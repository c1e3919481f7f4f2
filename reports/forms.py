"""Forms for requesting a paper and for scheduling one. They validate and normalise what
was typed; reports.services saves it.

Only the papers a renderer can produce are offered (the registry: reports.papers.registry),
and a kind asked for in a format it has no renderer for is refused here with the formats
it does come in. The committee paper's title block and implications texts are kept in the
job's (or schedule's) ``parameters`` under the option names reports.papers.content reads.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from foundation import limits
from foundation.forms import BritishDateField
from partners.models import GovernanceBody, Meeting
from reports.choices import ReportFormat, ReportKind, kind_in_sentence
from reports.models import Cadence, ReportSchedule, ScheduleMode
from reports.papers.registry import renderer_for
from reports.selectors import WEEKDAYS

# Meetings offered when requesting a paper: the recent past (a paper re-made for a meeting
# that has been) and the coming year. Older meetings are in the archive.
MEETINGS_BACK_DAYS = 183
MEETINGS_AHEAD_DAYS = 400

# The options reports.papers.content reads, in the order the form asks for them. "title" serves
# every paper; the rest are the committee paper's title block and implications.
TEXT_FIELDS = [
    "title", "report_of", "author", "contact_officer", "contact_details", "divisions",
    "summary", "background", "financial", "equalities", "risk", "recommendation",
]
COMMITTEE_ONLY = set(TEXT_FIELDS) - {"title"}


def available_papers() -> set[tuple[str, str]]:
    return {(k.value, f.value) for k in ReportKind for f in ReportFormat if renderer_for(k, f) is not None}


def _formats_of(kind: str, papers: set[tuple[str, str]]) -> str:
    labels = [str(f.label) for f in ReportFormat if (kind, f.value) in papers]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def _text(label: str, *, rows: int | None = None, max_length: int = 200, help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    # A section of the paper is bounded too: the paper is rendered in a worker, on a schedule.
    return forms.CharField(
        label=label, required=False, widget=widget, help_text=help_text, strip=True,
        **limits.text_limit(limits.PAPER_TEXT_MAX if rows else max_length),
    )


class PaperTextsMixin(forms.Form):
    """The texts a clerk writes for the paper; each blank one takes the paper's default."""

    title = _text("Title (optional)", max_length=300, help_text="Blank: the plan's title and the kind of paper.")
    report_of = _text("Report of (optional)", help_text="For example, Director of Children's Services. Blank: Director of Children's Services.")
    author = _text("Author (optional)", help_text="Blank: the plan's manager.")
    contact_officer = _text("Contact officer (optional)", help_text="Blank: the plan's manager.")
    contact_details = _text("Contact officer's telephone and email (optional)")
    divisions = _text("Division(s) affected (optional)", help_text="Blank: N/A.")
    summary = _text("Summary (optional)", rows=4, help_text="Blank: a summary of the RAG position is written for you. Leave a blank line between paragraphs.")
    background = _text("Background (optional)", rows=4, help_text="Blank: the inspection and the plan are described for you.")
    financial = _text("Financial implications (optional)", rows=3, help_text="Blank: “There are no financial implications arising directly from this report.”")
    equalities = _text("Equalities implications (optional)", rows=3, help_text="Blank: “There are no equalities implications arising directly from this report.”")
    risk = _text("Risk implications (optional)", rows=3, help_text="Blank: the number of red and overdue actions is stated as the main risk.")
    recommendation = _text("Recommendation (optional)", rows=3, help_text="Blank: “The Committee is RECOMMENDED to note the progress made…”.")

    def paper_parameters(self, kind: str) -> dict[str, str]:
        """The texts typed, under reports.papers.content's option names; the committee paper's
        texts only for a committee paper."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in TEXT_FIELDS
            if data.get(name) and (name not in COMMITTEE_ONLY or kind == ReportKind.COMMITTEE)
        }

    @staticmethod
    def initial_texts(parameters: dict) -> dict[str, str]:
        return {name: parameters.get(name, "") for name in TEXT_FIELDS}

    def text_fields(self):
        return [self[name] for name in TEXT_FIELDS if name != "title"]


# "Report of", "Financial implications": what each text is called on the paper's page.
PARAMETER_LABELS = {
    name: str(PaperTextsMixin.base_fields[name].label).removesuffix(" (optional)") for name in TEXT_FIELDS
}


class PaperChoiceMixin(forms.Form):
    kind = forms.ChoiceField(label="Paper", widget=forms.RadioSelect, error_messages={"required": "Choose a paper."})
    format = forms.ChoiceField(label="Format", widget=forms.RadioSelect, error_messages={"required": "Choose a format."})

    def _set_up_papers(self) -> None:
        self.papers = available_papers()
        kinds = {k for k, _ in self.papers}
        formats = {f for _, f in self.papers}
        self.fields["kind"].choices = [(k.value, k.label) for k in ReportKind if k.value in kinds]
        self.fields["format"].choices = [(f.value, f.label) for f in ReportFormat if f.value in formats]
        self.fields["kind"].help_text = "; ".join(
            f"{ReportKind(k).label}: {_formats_of(k, self.papers)}" for k, _ in self.fields["kind"].choices
        )

    def _clean_paper(self) -> None:
        kind, fmt = self.cleaned_data.get("kind"), self.cleaned_data.get("format")
        if kind and fmt and (kind, fmt) not in self.papers:
            self.add_error(
                "format",
                f"{kind_in_sentence(kind, start=True)} comes as {_formats_of(kind, self.papers)}, not "
                f"{ReportFormat(fmt).label}. Choose one of those.",
            )


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title


def _meeting_choices(today: dt.date) -> list:
    meetings = (
        Meeting.objects.filter(
            date__gte=today - dt.timedelta(days=MEETINGS_BACK_DAYS), date__lte=today + dt.timedelta(days=MEETINGS_AHEAD_DAYS)
        )
        .select_related("body")
        .order_by("body__name", "date")
    )
    groups: dict[str, list] = {}
    for meeting in meetings:
        label = f"{meeting.date.day} {meeting.date:%B %Y}"
        if meeting.title:
            label += f": {meeting.title}"
        groups.setdefault(meeting.body.name, []).append((str(meeting.pk), label))
    return [("", "No particular meeting"), *groups.items()]


class ReportJobForm(PaperChoiceMixin, PaperTextsMixin, forms.Form):
    plan = PlanChoiceField(
        label="Plan", queryset=None, empty_label="Choose a plan", error_messages={"required": "Choose a plan."}
    )
    as_at = BritishDateField(
        label="As at (optional)",
        required=False,
        help_text="The plan as it stood at the end of this day, for example 31/3/2017. Blank: today.",
    )
    body = forms.ModelChoiceField(
        label="Governance body (optional)",
        queryset=GovernanceBody.objects.order_by("name"),
        required=False,
        empty_label="No particular body",
        help_text="The committee or board the paper goes to. Chosen with a meeting, it is the meeting's body.",
    )
    meeting = forms.ChoiceField(
        label="Meeting (optional)",
        required=False,
        help_text="Its date goes in the title block; blank takes the body's next meeting.",
    )

    field_order = ["plan", "kind", "format", "as_at", "body", "meeting", *TEXT_FIELDS]

    def __init__(self, *args, plans, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["plan"].queryset = plans
        self.fields["meeting"].choices = _meeting_choices(today)
        self._set_up_papers()

    def clean_as_at(self):
        as_at = self.cleaned_data.get("as_at")
        if as_at and as_at > self.today:
            raise ValidationError("The “as at” date cannot be in the future: leave it blank for today.")
        return as_at

    def clean_meeting(self):
        value = self.cleaned_data.get("meeting")
        if not value:
            return None
        meeting = Meeting.objects.select_related("body").filter(pk=value).first()
        if meeting is None:
            raise ValidationError("Choose a meeting from the list.")
        return meeting

    def clean(self):
        data = super().clean()
        self._clean_paper()
        meeting, body = data.get("meeting"), data.get("body")
        if meeting and body and meeting.body_id != body.pk:
            self.add_error(
                "meeting", f"That meeting is of the {meeting.body.name}, not the {body.name}. Choose one or the other."
            )
        elif meeting and not body:
            data["body"] = meeting.body
        return data


def parse_recipients(text: str) -> list[str]:
    """Email addresses separated by new lines, commas or semicolons; lower-cased, each once."""
    emails: list[str] = []
    bad: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        email = raw.strip().strip("<>").lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            bad.append(raw)
            continue
        if email not in emails:
            emails.append(email)
    if bad:
        listed = ", ".join(f"“{b}”" for b in bad[:5])
        raise ValidationError(f"Not an email address: {listed}. Check each address is written in full, like name@council.gov.uk.")
    if not emails:
        raise ValidationError("Give at least one email address to send the paper to.")
    return emails


class ScheduleForm(PaperChoiceMixin, PaperTextsMixin, forms.Form):
    plan = PlanChoiceField(
        label="Plan", queryset=None, empty_label="Choose a plan", error_messages={"required": "Choose a plan."}
    )
    body = forms.ModelChoiceField(
        label="Governance body",
        queryset=GovernanceBody.objects.order_by("name"),
        empty_label="Choose a body",
        error_messages={"required": "Choose the body the paper goes to."},
    )
    mode = forms.ChoiceField(
        label="When is the paper made?",
        choices=ScheduleMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the paper is made."},
    )
    working_days_before = forms.IntegerField(
        label="Working days before each meeting (optional)",
        required=False,
        min_value=0,
        max_value=60,
        help_text="Blank: the body's own deadline for papers. Weekends and bank holidays are not counted.",
    )
    cadence = forms.ChoiceField(
        label="How often (for a regular cadence)",
        choices=Cadence.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    cadence_weekday = forms.TypedChoiceField(
        label="Day of the week (every week)",
        choices=[("", "Choose a day"), *[(str(i), day) for i, day in enumerate(WEEKDAYS)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    cadence_day = forms.IntegerField(
        label="Day of the month (every month)", required=False, min_value=1, max_value=28,
        help_text="1 to 28, so that every month has it.",
    )
    cadence_every_days = forms.IntegerField(
        label="Number of days (every so many days)", required=False, min_value=1, max_value=366,
    )
    recipients = forms.CharField(
        label="Send the paper to",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="Email addresses, one a line or separated by commas. Each person gets their own email.",
        **limits.text_limit(
            limits.RECIPIENTS_MAX, {"required": "Give at least one email address to send the paper to."}
        ),
    )
    attach_file = forms.BooleanField(
        label="Attach the paper to the email",
        required=False,
        help_text="Papers over 10 MB are always linked instead. Unticked, the email links to the paper.",
    )
    is_active = forms.BooleanField(label="Schedule is active", required=False, help_text="Untick to pause it.")

    field_order = [
        "plan", "body", "kind", "format", "mode", "working_days_before", "cadence", "cadence_weekday",
        "cadence_day", "cadence_every_days", "recipients", "attach_file", "is_active", *TEXT_FIELDS,
    ]

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self._set_up_papers()

    @classmethod
    def initial_for(cls, schedule: ReportSchedule | None) -> dict:
        if schedule is None:
            return {"mode": ScheduleMode.BEFORE_EACH_MEETING, "attach_file": True, "is_active": True}
        return {
            "plan": schedule.plan_id, "body": schedule.body_id, "kind": schedule.kind, "format": schedule.format,
            "mode": schedule.mode, "working_days_before": schedule.working_days_before, "cadence": schedule.cadence,
            "cadence_weekday": schedule.cadence_weekday, "cadence_day": schedule.cadence_day,
            "cadence_every_days": schedule.cadence_every_days, "recipients": "\n".join(schedule.recipients),
            "attach_file": schedule.attach_file, "is_active": schedule.is_active,
            **cls.initial_texts(schedule.parameters or {}),
        }

    def clean_recipients(self):
        return parse_recipients(self.cleaned_data.get("recipients", ""))

    def clean(self):
        data = super().clean()
        self._clean_paper()
        if data.get("mode") == ScheduleMode.CADENCE:
            cadence = data.get("cadence")
            if not cadence:
                self.add_error("cadence", "Choose how often the paper is made.")
            elif cadence == Cadence.WEEKLY and data.get("cadence_weekday") is None:
                self.add_error("cadence_weekday", "Choose the day of the week the paper is made.")
            elif cadence == Cadence.MONTHLY and not data.get("cadence_day"):
                self.add_error("cadence_day", "Give the day of the month the paper is made, from 1 to 28.")
            elif cadence == Cadence.EVERY_N_DAYS and not data.get("cadence_every_days"):
                self.add_error("cadence_every_days", "Give the number of days between papers.")
        return data

    def schedule_values(self) -> dict:
        data = self.cleaned_data
        return {
            "plan": data["plan"], "body": data["body"], "kind": data["kind"], "format": data["format"],
            "mode": data["mode"], "working_days_before": data.get("working_days_before"),
            "cadence": data.get("cadence") or "", "cadence_weekday": data.get("cadence_weekday"),
            "cadence_day": data.get("cadence_day"), "cadence_every_days": data.get("cadence_every_days"),
            "recipients": data["recipients"], "attach_file": data.get("attach_file", False),
            "is_active": data.get("is_active", False), "parameters": self.paper_parameters(data["kind"]),
        }
