from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """The ground floor every app builds on: the access helpers, form bases, choices, dates in
    words, validators, streamed exports, the daily job and the template filters. It imports
    nothing of the domain."""

    name = "toolkit"
