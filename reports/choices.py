from django.db import models


class ReportKind(models.TextChoices):
    OFSTED_PLAN = "ofsted-plan", "Ofsted-ready action plan"
    COMMITTEE = "committee", "Committee progress report"
    EXCEPTIONS = "exceptions", "Exceptions report"
    ACTIONS_EXPORT = "actions-export", "Actions export"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
