from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from review.models import Role
        from review.navigation import NavItem, register

        register(NavItem(key="searches", label="Searches", url_name="review:searches", order=10))
        register(NavItem(key="records", label="Records", url_name="review:records", order=20, min_role=Role.VIEWER))
        register(NavItem(key="dedup", label="Duplicates", url_name="review:dedup", order=25))

        from review.services import dedup, imports

        if dedup.after_import not in imports.AFTER_IMPORT_HOOKS:
            imports.AFTER_IMPORT_HOOKS.append(dedup.after_import)
