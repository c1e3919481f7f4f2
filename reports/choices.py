from django.db import models


class ReportKind(models.TextChoices):
    OFSTED_PLAN = "ofsted-plan", "Ofsted-ready action plan"
    COMMITTEE = "committee", "Committee progress report"
    EXCEPTIONS = "exceptions", "Exceptions report"
    ACTIONS_EXPORT = "actions-export", "Actions export"


def kind_in_sentence(kind: str, *, start: bool = False) -> str:
    """A paper's name inside a sentence, with its article: "an Ofsted-ready action plan",
    "a committee progress report"; ``start`` capitalises it to begin the sentence. Proper
    names (Ofsted) keep their capital; "a"/"an" follows the sound of the first letter."""
    label = str(ReportKind(kind).label)
    if not label.startswith("Ofsted"):
        label = label[0].lower() + label[1:]
    article = "an" if label[0].lower() in "aeiou" else "a"
    phrase = f"{article} {label}"
    return phrase[0].upper() + phrase[1:] if start else phrase


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


# The media type of each format: for a download, an email attachment and Rendered.content_type.
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.CSV: "text/csv",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
