from django.apps import AppConfig


class CaseplansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"

    def ready(self) -> None:
        from caseplans.services import settle_merged_case_plans
        from clients.services import settles_merges

        settles_merges(settle_merged_case_plans)
