"""Forms for bringing a plan in from a file, one per step: the upload (the file, the sheet,
the plan it goes into and the inspection it answers), where the plan sits in the file (the
sheet and the heading row), the column mapping, and the confirmation before saving.

They validate and normalise what was sent; reading the file is the importing engine's
(actionplans.importing) and saving is plan_import_commit's. The upload form reads the file
once to refuse what cannot be imported before anything is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from actionplans.importing import FIELDS, Grid, ImportRejected, read_file
from actionplans.importing.columns import EXTRA
from actionplans.importing.readers import MAX_FILE_BYTES
from actionplans.models import Plan
from actionplans.plans.services import RESERVED_SLUGS
from foundation.uploads import clean_display_name
from inspections.models import Inspection

NEW_PLAN = "new"
ACCEPTED_TYPES = ".csv,.xlsx,.docx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class InspectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        published = f", published {obj.published_on:%d %B %Y}" if obj.published_on else ""
        return f"{obj.title}{published}"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="The plan file",
        help_text=(
            f"An Excel workbook (.xlsx), a Word document (.docx) with the plan in a table, or a CSV file; "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB at most."
        ),
        error_messages={"required": "Choose the file of the plan.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_TYPES}),
    )
    sheet = forms.CharField(
        label="Sheet or table (optional)",
        required=False,
        max_length=100,
        help_text=(
            "The worksheet's name, or “Table 2” in a Word document. Left blank, the one that looks "
            "most like a plan is used; you can choose another on the next page."
        ),
    )
    target = forms.ChoiceField(
        label="Import into",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a new plan or a plan you manage.",
            "invalid_choice": "Choose a new plan or a plan you manage.",
        },
    )
    title = forms.CharField(
        label="Title of the new plan (optional)",
        required=False,
        max_length=300,
        help_text="Left blank, it is made from the inspection or the file's name.",
    )
    slug = forms.SlugField(
        label="Web address of the new plan (optional)",
        required=False,
        max_length=80,
        help_text="Lower-case letters, numbers and hyphens. Left blank, it is made from the title.",
        error_messages={"invalid": "Use only lower-case letters, numbers and hyphens in the web address."},
    )
    inspection = InspectionChoiceField(
        label="Inspection the plan answers (optional)",
        queryset=Inspection.objects.order_by("-published_on", "title"),
        required=False,
        empty_label="None, or not recorded yet",
        help_text=(
            "The file's findings are recorded against it, and dates such as “within 6 months” count from "
            "its publication."
        ),
    )

    def __init__(self, *args, plans: list[Plan], **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {str(plan.pk): plan for plan in plans}
        self.fields["target"].choices = [(NEW_PLAN, "A new plan")] + [
            (str(plan.pk), f"{plan.title} ({plan.get_status_display().lower()})") for plan in plans
        ]
        self.grid: Grid | None = None
        self.file_bytes = b""
        self.file_name = ""

    def clean_target(self) -> Plan | None:
        value = self.cleaned_data["target"]
        return None if value == NEW_PLAN else self.plans[value]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        if slug and (slug in RESERVED_SLUGS or Plan.objects.filter(slug=slug).exists()):
            raise forms.ValidationError("Another plan already uses this web address, or it is reserved.")
        return slug

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        name = clean_display_name(upload.name)
        sheet = (data.get("sheet") or "").strip() or None
        try:
            self.grid = self._read(upload, name, sheet)
        except ImportRejected as exc:
            self.add_error(self._blame(upload, name, sheet), exc.message)
            return data
        upload.seek(0)
        self.file_bytes = upload.read()
        self.file_name = name
        return data

    @staticmethod
    def _read(upload, name: str, sheet: str | None) -> Grid:
        upload.seek(0)
        return read_file(upload, filename=name, sheet=sheet)

    def _blame(self, upload, name: str, sheet: str | None) -> str:
        """The field at fault: the sheet, when the file reads without it."""
        if not sheet:
            return "file"
        try:
            self._read(upload, name, None)
        except ImportRejected:
            return "file"
        return "sheet"


class PlanLocationForm(forms.Form):
    """Where the plan is in the file: the sheet (or Word table) and the row of headings."""

    sheet = forms.ChoiceField(label="Sheet", required=False)
    header_row = forms.IntegerField(
        label="Row the headings are on",
        min_value=1,
        help_text="The row number as the spreadsheet shows it (in a CSV file, the line).",
        error_messages={
            "required": "Enter the number of the row the headings are on.",
            "invalid": "Enter the row number as a whole number, for example 3.",
            "min_value": "Enter a row number of 1 or more.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, sheets: list[str], source: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["sheet"]
        if len(sheets) > 1:
            field.choices = [(name, name) for name in sheets]
            field.label = "Table" if source == "docx" else "Sheet"
            field.required = True
        else:
            del self.fields["sheet"]


@dataclass
class ColumnChoice:
    """One column of the file as the mapping page shows it."""

    index: int
    letter: str
    heading: str
    examples: list[str]
    suggested: str

    @property
    def name(self) -> str:
        return f"column_{self.index}"

    @property
    def label(self) -> str:
        return f"Column {self.letter}: {self.heading}" if self.heading else f"Column {self.letter} (no heading)"


FIELD_CHOICES = [(key, label) for key, label in FIELDS.items()]


class ColumnMappingForm(forms.Form):
    """A field for every column; each field but "Keep as text on the action" for one column."""

    def __init__(self, *args, columns: list[ColumnChoice], chosen: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        for column in columns:
            self.fields[column.name] = forms.ChoiceField(
                label=column.label,
                choices=FIELD_CHOICES,
                initial=(chosen or {}).get(column.index, column.suggested),
                error_messages={"required": f"Choose what {column.label.lower()} holds."},
            )

    def clean(self):
        data = super().clean()
        claimed: dict[str, ColumnChoice] = {}
        for column in self.columns:
            value = data.get(column.name)
            if not value or value == EXTRA:
                continue
            if value in claimed:
                self.add_error(
                    column.name,
                    f"{FIELDS[value]} is already chosen for column {claimed[value].letter}: choose one column for it.",
                )
            else:
                claimed[value] = column
        if not self.errors and "action" not in claimed:
            raise forms.ValidationError("Choose the column that holds the actions.")
        return data

    def mapping(self) -> dict[int, str]:
        return {column.index: self.cleaned_data[column.name] for column in self.columns}

    def rows(self):
        """(column, bound field) pairs for the template."""
        return [(column, self[column.name]) for column in self.columns]


class ImportCommitForm(forms.Form):
    """Saving the previewed plan. ``fingerprint`` ties the save to the preview the person
    saw; where problems were listed, they confirm they have checked them."""

    fingerprint = forms.CharField(widget=forms.HiddenInput)
    accept_problems = forms.BooleanField(
        label="I have checked the problems listed: save the plan with them",
        required=False,
    )

    def __init__(self, *args, problems: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if problems:
            field = self.fields["accept_problems"]
            field.required = True
            field.label = (
                f"I have checked the {problems} problem{'s' if problems != 1 else ''} listed: "
                f"save the plan with {'them' if problems != 1 else 'it'}"
            )
            field.error_messages["required"] = (
                "Confirm you have checked the problems, or change the columns or the file to fix them."
            )
        else:
            del self.fields["accept_problems"]
