from django.apps import AppConfig


class DiaryConfig(AppConfig):
    """The workers' diary: appointments with young people, the team's day, and each worker's
    private calendar feed."""

    name = "diary"
    label = "diary"
    verbose_name = "Diary"
