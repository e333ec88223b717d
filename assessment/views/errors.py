"""Error responses that htmx requests can show in place, and the favicon."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason=""):
    """A stale security token (e.g. after logging in again in another tab): autosave
    says so in its status line instead of swapping a whole error page into it."""
    if request.headers.get("HX-Request") == "true":
        return render(request, "assessment/_csrf_failed.html", status=403)
    return django_csrf_failure(request, reason=reason)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to."""
    return redirect(static("favicon.svg"), permanent=True)
