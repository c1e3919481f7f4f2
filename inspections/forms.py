"""Forms for recording inspections and findings. They validate and normalise; the
services in inspections.services save."""

from __future__ import annotations

import hashlib
import re

from django import forms

from foundation import limits
from foundation.forms import BritishDateField
from inspections.choices import FindingKind, Grade, InspectionKind, Inspectorate
from inspections.models import validate_paragraphs
from inspections.parsing import PasteResult, paragraphs_from, parse_findings
from inspections.services import InspectionDetails

# What councils write for each grade, lower case.
_GRADE_WORDS = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "requires improvement to be good": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "ri": Grade.REQUIRES_IMPROVEMENT,
    "inadequate": Grade.INADEQUATE,
}


# "Area: grade", split at the last colon or dash.
_JUDGEMENT_LINE = re.compile(r"^(?P<area>.+?)\s*[:\-\u2013\u2014]\s*(?P<grade>[^:\-\u2013\u2014]+)$")


class InspectionForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=300,
        help_text="As the letter or report is titled, for example “Joint targeted area inspection of Testshire”.",
        error_messages={"required": "Enter the inspection's title."},
    )
    kind = forms.ChoiceField(
        label="Type of inspection",
        choices=InspectionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of inspection."},
    )
    inspectorates = forms.MultipleChoiceField(
        label="Inspectorates",
        choices=Inspectorate.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every inspectorate that took part.",
        error_messages={"required": "Tick at least one inspectorate."},
    )
    area = forms.CharField(
        label="Area inspected",
        max_length=200,
        help_text="The local authority area.",
        error_messages={"required": "Enter the area inspected."},
    )
    onsite_from = BritishDateField(label="First day on site (optional)", required=False)
    onsite_to = BritishDateField(label="Last day on site (optional)", required=False)
    published_on = BritishDateField(label="Date the letter or report was published (optional)", required=False)
    wsoa_due_on = BritishDateField(
        label="Written statement of action due (optional)",
        required=False,
        help_text="The date the statement must reach Ofsted. For example, 15/08/2026",
    )
    overall_grade = forms.ChoiceField(
        label="Overall judgement",
        choices=[("", "Not graded"), *Grade.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    judgements = forms.CharField(
        label="Graded judgements (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, the area then its grade, for example “The experiences and progress of "
        "children in care: Good”.",
        **limits.text_limit(limits.NOTE_MAX),
    )
    summary = forms.CharField(
        label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        **limits.text_limit(limits.NARRATIVE_MAX),
    )
    report_file = forms.FileField(
        label="The letter or report as a file (optional)",
        required=False,
        help_text="PDF or Word, 20 MB at most. It is kept private and only people who can see this inspection can download it.",
    )
    report_url = forms.URLField(
        label="Link to the published letter or report (optional)",
        required=False,
        assume_scheme="https",
        help_text="For example, the report's page on reports.ofsted.gov.uk.",
    )

    def __init__(self, *args, has_report_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_report_file:
            self.fields["remove_report_file"] = forms.BooleanField(
                label="Remove the stored file", required=False,
                help_text="Leave unticked to keep it. Choosing a new file above replaces it.",
            )
            self.order_fields([*self.fields.keys()][:-2] + ["remove_report_file", "report_url"])

    def clean_judgements(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["judgements"].splitlines(), start=1):
            line = line.strip().strip("•*-").strip()
            if not line:
                continue
            match = _JUDGEMENT_LINE.match(line)
            area, grade = (match["area"], match["grade"]) if match else ("", "")
            grade_value = _GRADE_WORDS.get(" ".join(grade.casefold().split()).rstrip("."))
            if not area or not grade_value:
                raise forms.ValidationError(
                    f"Line {number}: give the area, a colon, then outstanding, good, requires improvement "
                    f"or inadequate, for example “Overall effectiveness: Good”."
                )
            rows.append((area[:200], grade_value))
        return rows

    def clean(self):
        data = super().clean()
        start, end = data.get("onsite_from"), data.get("onsite_to")
        if start and end and end < start:
            self.add_error("onsite_to", "The last day on site must be the same as or after the first day.")
        return data

    def details(self) -> InspectionDetails:
        data = self.cleaned_data
        return InspectionDetails(
            title=data["title"].strip(),
            kind=data["kind"],
            inspectorates=list(data["inspectorates"]),
            area=data["area"].strip(),
            onsite_from=data["onsite_from"],
            onsite_to=data["onsite_to"],
            published_on=data["published_on"],
            wsoa_due_on=data["wsoa_due_on"],
            overall_grade=data["overall_grade"],
            summary=data["summary"].strip(),
            report_url=data["report_url"],
        )

    @classmethod
    def initial_from(cls, inspection) -> dict:
        return {
            "title": inspection.title,
            "kind": inspection.kind,
            "inspectorates": inspection.inspectorates,
            "area": inspection.area,
            "onsite_from": inspection.onsite_from,
            "onsite_to": inspection.onsite_to,
            "published_on": inspection.published_on,
            "wsoa_due_on": inspection.wsoa_due_on,
            "overall_grade": inspection.overall_grade,
            "judgements": "\n".join(f"{j.area}: {j.get_grade_display()}" for j in inspection.judgements.all()),
            "summary": inspection.summary,
            "report_url": inspection.report_url,
        }


PASTE_HELP = (
    "One finding a line, as the letter words it. Start a line with its paragraph numbers "
    "(“42.” or “para 17, 18 –”) and, where the kind differs from the one chosen above, with "
    "“AFI:”, “Strength:”, “Priority:” or “Recommendation:”. A line that is only a heading from "
    "the letter, such as “Areas for improvement”, sets the kind of the lines below it."
)


class FindingsPasteForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of findings are these?",
        choices=[*FindingKind.choices, ("", "Each line says which kind")],
        widget=forms.RadioSelect,
        required=False,
    )
    theme = forms.CharField(
        label="Theme (optional)",
        max_length=120,
        required=False,
        help_text="For example “Front door and MASH”. A line can give its own in square brackets: “[Supervision] 42. …”.",
    )
    text = forms.CharField(
        label="Findings",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=PASTE_HELP,
        **limits.text_limit(limits.FINDINGS_PASTE_MAX, {"required": "Paste the findings, one a line."}),
    )
    checked = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, existing_texts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_texts = list(existing_texts)
        self.result: PasteResult | None = None

    def clean(self):
        data = super().clean()
        if "text" not in data:
            return data
        self.result = parse_findings(
            data["text"],
            default_kind=data.get("kind", ""),
            default_theme=data.get("theme", ""),
            existing_texts=self.existing_texts,
        )
        for problem in self.result.problems:
            self.add_error("text", str(problem))
        return data

    def fingerprint(self) -> str:
        """Identifies exactly what was previewed, so that a save never saves unseen text."""
        data = self.cleaned_data
        raw = "\x00".join([data.get("kind", ""), data.get("theme", ""), data.get("text", "")])
        return hashlib.sha256(raw.encode()).hexdigest()

    def was_previewed(self) -> bool:
        return self.cleaned_data.get("checked") == self.fingerprint()


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=FindingKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of finding."},
    )
    paragraphs = forms.CharField(
        label="Report paragraphs (optional)",
        max_length=100,
        required=False,
        help_text="For example “17, 18” or “17-19”.",
    )
    theme = forms.CharField(label="Theme (optional)", max_length=120, required=False)
    text = forms.CharField(
        label="What the inspectors said",
        widget=forms.Textarea(attrs={"rows": 5}),
        **limits.text_limit(limits.ACTION_TEXT_MAX, {"required": "Enter the finding."}),
    )
    inspectorates = forms.MultipleChoiceField(
        label="Raised by (optional)",
        choices=Inspectorate.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_paragraphs(self) -> str:
        try:
            value = paragraphs_from(self.cleaned_data["paragraphs"])
        except ValueError as exc:
            raise forms.ValidationError(f"Check the paragraph numbers: {exc}.") from None
        validate_paragraphs(value)
        return value
