from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data, statewide seeding and the benchmarks: tooling, not the product. It may import
    any app; no app imports it."""

    name = "devtools"
