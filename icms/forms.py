from django.http import HttpRequest, QueryDict


def submitted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (which must show "required" errors), or None
    for a GET. (`request.POST or None` would treat an empty POST as a first visit.)"""
    return request.POST if request.method == "POST" else None
