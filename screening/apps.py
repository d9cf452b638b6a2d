from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from review.services import dedup
        from screening.selectors import records_with_votes

        if records_with_votes not in dedup.LOCKED_RECORD_PROVIDERS:
            dedup.LOCKED_RECORD_PROVIDERS.append(records_with_votes)

        from review.services import reviews
        from screening.services.votes import outcomes_recheck_required

        if outcomes_recheck_required not in reviews.AFTER_REVIEW_UPDATE_HOOKS:
            reviews.AFTER_REVIEW_UPDATE_HOOKS.append(outcomes_recheck_required)

        from review import screening_port
        from screening.record_port import ScreeningRecords

        screening_port.provide(ScreeningRecords())

        from review.models import Role
        from review.navigation import NavItem, register
        from review.selectors import COUNT_PROVIDERS
        from screening.selectors import review_home_counts

        register(
            NavItem(key="screening", label="Screening", url_name="screening:overview", order=30, sub_label="Overview")
        )
        register(
            NavItem(
                key="conflicts",
                label="Conflicts",
                url_name="screening:conflicts-home",
                order=32,
                min_role=Role.REVIEWER,
                group="screening",
            )
        )
        register(NavItem(key="progress", label="Progress", url_name="screening:progress", order=34, group="screening"))
        register(
            NavItem(
                key="screening-settings",
                label="Screening settings",
                url_name="screening:settings",
                order=36,
                min_role=Role.LEAD,
                group="screening",
                sub_label="Settings",
            )
        )
        if review_home_counts not in COUNT_PROVIDERS:
            COUNT_PROVIDERS.append(review_home_counts)
