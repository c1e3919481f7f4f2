from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partnership: agencies, posts, people and governance"

    def ready(self):
        from partners import security_log  # noqa: F401 - connects the sign-in signal receivers
