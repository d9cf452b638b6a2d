from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from review.models import Role
        from review.navigation import NavItem, register

        register(NavItem(key="searches", label="Searches", url_name="review:searches", order=10))
        register(NavItem(key="records", label="Records", url_name="review:records", order=20, min_role=Role.VIEWER))
