from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reports"

    def ready(self) -> None:
        from review.navigation import NavItem, register

        register(NavItem(key="report", label="Report", url_name="reporting:prisma", order=80))
