from django.apps import AppConfig


class CaseplansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"

    def ready(self) -> None:
        # What this app adds to the young person's record: its kinds of timeline entry, and
        # its part of merging two records.
        from caseplans import timeline  # noqa: F401 - registers its kinds of timeline entry
        from caseplans.services import settle_merged_case_plans
        from clients.services import settles_merges

        settles_merges(settle_merged_case_plans)
