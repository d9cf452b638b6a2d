from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "charting"
    verbose_name = "Data charting"

    def ready(self) -> None:
        from charting.selectors import review_home_counts
        from review.models import Role
        from review.navigation import NavItem, register
        from review.selectors import COUNT_PROVIDERS

        register(NavItem(key="charting", label="Charting", url_name="charting:home", order=60, min_role=Role.VIEWER))
        if review_home_counts not in COUNT_PROVIDERS:
            COUNT_PROVIDERS.append(review_home_counts)
