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
        register(NavItem(key="members", label="Members", url_name="review:members", order=90, sub_label="Members"))
        register(
            NavItem(
                key="settings",
                label="Settings",
                url_name="review:settings",
                order=92,
                min_role=Role.LEAD,
                group="members",
                sub_label="Review settings",
            )
        )
        register(
            NavItem(
                key="audit",
                label="Audit trail",
                url_name="review:audit",
                order=94,
                min_role=Role.LEAD,
                group="members",
            )
        )

        from review.services import dedup, imports

        if dedup.after_import not in imports.AFTER_IMPORT_HOOKS:
            imports.AFTER_IMPORT_HOOKS.append(dedup.after_import)
