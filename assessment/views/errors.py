"""Error responses that htmx requests can show in place."""

from django.shortcuts import render
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason=""):
    """A stale security token (e.g. after logging in again in another tab): autosave
    says so in its status line instead of swapping a whole error page into it."""
    if request.headers.get("HX-Request") == "true":
        return render(request, "assessment/_csrf_failed.html", status=403)
    return django_csrf_failure(request, reason=reason)
