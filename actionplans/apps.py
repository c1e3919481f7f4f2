from django.apps import AppConfig
from django.db.models.signals import post_delete


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self):
        from actionplans.actions.services import evidence_file_remove_on_commit
        from actionplans.models import Evidence

        # Every way an evidence row goes (the admin, a cascade from its action or plan)
        # takes its stored file with it once committed: see the receiver's docstring.
        post_delete.connect(evidence_file_remove_on_commit, sender=Evidence, dispatch_uid="evidence_file_remove")
