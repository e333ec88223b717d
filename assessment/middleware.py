"""Login required everywhere, and sessions that expire after a period of inactivity."""

import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import render

SESSION_REFRESHED_KEY = "_refreshed_at"


class LoginRequiredWithHtmx(LoginRequiredMiddleware):
    """An autosave after the session expired gets a 401 status line, not the login
    page swapped into the questionnaire; ordinary requests still go to the login page."""

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") == "true":
            return render(request, "assessment/_session_expired.html", status=401)
        return super().handle_no_permission(request, view_func)


class SessionRefreshMiddleware:
    """Renew the session's expiry at most once a minute, not on every request.

    Sessions end after SESSION_COOKIE_AGE seconds of inactivity; writing the
    session row on each page view (SESSION_SAVE_EVERY_REQUEST) would cost a
    commit per request for a precision nobody needs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and not session.is_empty():
            now = int(time.time())
            if now - session.get(SESSION_REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return response


class MethodNotAllowedPage:
    """Django answers a GET to a POST-only address with an empty 405, which browsers
    show as their own error page; this gives it the app's page instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
