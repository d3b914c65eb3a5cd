"""Querysets put together once a day per user, for every request after."""

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

M = TypeVar("M", bound=Model)

# At most this many kept by a worker process, the least recently used given up first: a
# caseload's is about 130 kB (the record's alike), so at most some 17 MB.
BUILT_KEPT = 128
_built: OrderedDict[tuple, QuerySet] = OrderedDict()


def built_once_a_day(user: object, build: Callable[[object], QuerySet[M]]) -> QuerySet[M]:
    """A fresh copy of `build(user)`, which is put together once a day for the user and their
    roles (`user.roles`) and kept.

    A page's main queryset (a caseload, with its five annotated subqueries) costs Django
    several milliseconds of Python to put together, on every request, although it changes only
    with the user, their roles and the day. `build` may depend on nothing else: the user's id,
    their roles' visibility rules and the day (`timezone.localdate()`) are the only values it
    may put into the SQL; what the query selects is read from the database at every use. The
    copy is Django's own (`.all()`), as a view's further filters would make.
    """
    key = (build.__module__, build.__qualname__, user.pk, user.roles, timezone.localdate())
    built = _built.get(key)
    if built is None:
        built = _built[key] = build(user)
        if len(_built) > BUILT_KEPT:
            _built.popitem(last=False)
    else:
        _built.move_to_end(key)
    return built.all()
