"""The two beat entries every installation needs, stored with django-celery-beat so that
they can be seen (and paused) in the admin:

- "reports: run due schedules", daily at 07:00 Europe/London: makes the papers that are
  due before meetings (reports.scheduling.run_due_schedules);
- "reminders: weekly", Mondays at 07:30 Europe/London: each lead's overdue, due-soon and
  needing-an-update actions (reports.scheduling.send_weekly_reminders).

Idempotent: run again (or after reports.schedules.periodic_tasks_ensure) it changes
nothing. The same definitions live in reports.schedules.BEAT_TASKS; they are repeated
here because a migration must not depend on code that changes after it is written.
"""

from django.db import migrations

from foundation.beat_migrations import beat_tasks_operation

BEAT_TASKS = [
    {
        "name": "reports: run due schedules",
        "task": "reports.scheduling.run_due_schedules",
        "crontab": {"minute": "0", "hour": "7", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Makes the papers due before governance body meetings, once per meeting.",
    },
    {
        "name": "reminders: weekly",
        "task": "reports.scheduling.send_weekly_reminders",
        "crontab": {"minute": "30", "hour": "7", "day_of_week": "1", "day_of_month": "*", "month_of_year": "*"},
        "description": "Emails each lead their overdue, due-soon and needing-an-update actions.",
    },
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_tasks_operation(BEAT_TASKS)]
