"""Error responses that htmx requests can show in place, and the favicon."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason=""):
    """A stale security token (e.g. after logging in again in another tab): autosave
    says so in its status line instead of swapping a whole error page into it."""
    if request.headers.get("HX-Request") == "true":
        return render(request, "assessment/_csrf_failed.html", status=403)
    if settings.DEBUG:
        return django_csrf_failure(request, reason=reason)
    message = _(
        "This form was not sent: its security token is out of date (you logged out or in "
        "again, perhaps in another tab). Go back, reload the page and send it again."
    )
    return render(request, "403.html", {"exception": message}, status=403)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to."""
    return redirect(static("favicon.svg"), permanent=True)
