from collections.abc import Iterable

from django.db import models


def choice_labels(values: Iterable[str], choices: type[models.Choices]) -> list[str]:
    """The labels of `values` (as an ArrayField of choices holds them), in their order; a value
    no longer among the choices shows as itself."""
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]
