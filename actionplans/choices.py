from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Submitted"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"


class ReviewCadence(models.IntegerChoices):
    MONTHLY = 30, "Monthly"
    BI_MONTHLY = 61, "Every two months"
    QUARTERLY = 91, "Quarterly"
    TERMLY = 122, "Termly"
    SIX_MONTHLY = 183, "Six-monthly"


class ActionStatus(models.TextChoices):
    """Delivered (the training happened) is kept apart from outcome evidenced (audits show
    better plans), because Ofsted keeps them apart."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    OUTCOME_EVIDENCED = "outcome_evidenced", "Complete: outcome evidenced"


class RAG(models.TextChoices):
    """The label is what every page and paper shows beside the colour."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue (complete)"
    NOT_RATED = "not_rated", "Not yet rated"


class SignOffStage(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    OUTCOME_EVIDENCED = "outcome_evidenced", "Outcome evidenced"


class Decision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned to author"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    AUDIT = "audit", "Audit result"
    MINUTES = "minutes", "Minutes"
    DATA = "data", "Data extract"
    LINK = "link", "Link"
    OTHER = "other", "Other"


class MeasureUnit(models.TextChoices):
    PERCENT = "percent", "Per cent"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    RATE = "rate", "Rate per 10,000 children"
    SCORE = "score", "Score"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", "Higher is better"
    LOWER_IS_BETTER = "down", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    TERMLY = "termly", "Termly"
    ANNUALLY = "annually", "Annually"
