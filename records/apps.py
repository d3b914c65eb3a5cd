from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Records: archive, retention, disposal and release of files"

    def ready(self) -> None:
        # Its part of merging two records: the legal holds, and the archive.
        from clients.services import settles_merges
        from records.services import settle_merged_legal_holds

        settles_merges(settle_merged_legal_holds)
