"""The dashboards' month-end RAG snapshots (actionplans.models.RagSnapshot), and the beat
entry that records them shortly after each month end:

- "dashboards: month-end RAG snapshots", on the 1st of each month at 02:00 Europe/London
  (actionplans.tasks.record_rag_snapshots).

The beat entry is stored with django-celery-beat (as in reports/migrations/0003_beat_tasks.py)
so that it can be seen and paused in the admin; idempotent. Its definition is repeated here
rather than imported because a migration must not depend on code that changes after it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from foundation.beat_migrations import beat_tasks_operation

BEAT_TASK = {
    "name": "dashboards: month-end RAG snapshots",
    "task": "actionplans.tasks.record_rag_snapshots",
    "crontab": {
        "minute": "0",
        "hour": "2",
        "day_of_week": "*",
        "day_of_month": "1",
        "month_of_year": "*",
    },
    "description": "Counts each plan's RAG ratings as at the month just ended, once, for the dashboards' trend.",
}


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0002_initial"),
        ("partners", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="RagSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(help_text="The day counted, as at its end.")),
                ("red", models.PositiveIntegerField(default=0)),
                ("amber", models.PositiveIntegerField(default=0)),
                ("green", models.PositiveIntegerField(default=0)),
                ("blue", models.PositiveIntegerField(default=0)),
                ("not_rated", models.PositiveIntegerField(default=0)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        help_text="Whose share of the plan: blank for every action (partnership-wide roles); "
                        "an agency for the actions it leads or supports (its partner officers).",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.agency",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rag_snapshots",
                        to="actionplans.plan",
                    ),
                ),
            ],
            options={
                "ordering": ["plan", "agency", "day"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("agency__isnull", True)),
                        fields=("plan", "day"),
                        name="one_rag_snapshot_per_plan_day",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("agency__isnull", False)),
                        fields=("plan", "agency", "day"),
                        name="one_agency_rag_snapshot_per_plan_day",
                    ),
                ],
            },
        ),
        beat_tasks_operation([BEAT_TASK]),
    ]
