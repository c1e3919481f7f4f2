from django.db import models


class InspectionKind(models.TextChoices):
    ILACS_FULL = "ilacs_full", "ILACS full inspection"
    ILACS_SHORT = "ilacs_short", "ILACS short inspection"
    FOCUSED_VISIT = "focused_visit", "Focused visit"
    MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
    JTAI = "jtai", "Joint targeted area inspection (JTAI)"
    SEND_AREA = "send_area", "Area SEND inspection"
    SIF = "sif", "Single inspection framework (SIF)"
    SAFEGUARDING_LAC = "safeguarding_lac", "Announced safeguarding and looked after children inspection"
    OTHER = "other", "Other"


class Inspectorate(models.TextChoices):
    OFSTED = "ofsted", "Ofsted"
    CQC = "cqc", "CQC"
    HMICFRS = "hmicfrs", "HMICFRS"
    HMI_PROBATION = "hmi_probation", "HMI Probation"


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"
    PRIORITY_ACTION = "priority_action", "Priority action"
    RECOMMENDATION = "recommendation", "Recommendation"
