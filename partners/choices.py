from django.db import models


class Sector(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health (NHS trust, ICB or CCG)"
    EDUCATION = "education", "Education (schools and colleges)"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """What a person does in the product; scope is decided by actionplans.access."""

    OFFICER = "officer", "Action lead / officer"
    PARTNER_OFFICER = "partner_officer", "Partner agency officer"
    PLAN_MANAGER = "plan_manager", "Plan manager"
    DIRECTOR = "director", "Director / senior leader"
    CLERK = "clerk", "Committee clerk"
    MEMBER = "member", "Board member / councillor (read only)"
    ADMIN = "admin", "Administrator"


class BodyKind(models.TextChoices):
    CABINET = "cabinet", "Cabinet"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    BOARD = "board", "Safeguarding board or partnership"
    EXECUTIVE_GROUP = "executive_group", "Executive group"
    SUBGROUP = "subgroup", "Sub-group"
    TASK_AND_FINISH = "task_and_finish", "Task and finish group"
    OTHER = "other", "Other"


class DeliveryStatus(models.TextChoices):
    """Where an email in the outbox (partners.models.EmailDelivery) has got to."""

    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (not sent)"
    UNKNOWN = "unknown", "Unknown: check the mail server's log"
