from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "charting"
    verbose_name = "Data charting"

    def ready(self) -> None:
        from review.models import Role
        from review.navigation import NavItem, register

        register(NavItem(key="charting", label="Charting", url_name="charting:home", order=60, min_role=Role.VIEWER))
