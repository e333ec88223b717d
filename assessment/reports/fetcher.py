"""The only way the PDF renderer may load anything: the app's own static files.

WeasyPrint's default fetcher opens file://, http(s), ftp and data: URLs and
follows redirects. Reports contain analysts' text, so every other URL is
refused: file paths, any host (127.0.0.1 included), redirects and large data:.

Files embedded in a report (its snapshot) are served from bytes handed to the
fetcher, under EMBEDDED_PREFIX; nothing else is ever embedded.
"""

import base64
import mimetypes
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A base URL that can never resolve on a network (RFC 2606). Relative URLs in
# the report template resolve under it and are served from static files.
REPORT_BASE_URL = "https://report.invalid/"
STATIC_PREFIX = REPORT_BASE_URL + settings.STATIC_URL.lstrip("/")
EMBEDDED_PREFIX = REPORT_BASE_URL + "embedded/"


class RefusedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """`embedded` maps a file name to (bytes, MIME type): the files a report embeds."""

    def __init__(self, embedded: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
        self.refused: list[str] = []
        self.embedded = dict(embedded or {})

    @staticmethod
    def embedded_url(name: str) -> str:
        return EMBEDDED_PREFIX + name

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(EMBEDDED_PREFIX) and url[len(EMBEDDED_PREFIX) :] in self.embedded:
            content, content_type = self.embedded[url[len(EMBEDDED_PREFIX) :]]
            return URLFetcherResponse(url, content, {"Content-Type": content_type})
        if url.startswith(STATIC_PREFIX):
            return self._static(url, url[len(STATIC_PREFIX) :])
        if url.startswith("data:"):
            return self._data(url)
        return self._refuse(url)

    def _refuse(self, url: str):
        self.refused.append(url)
        raise RefusedURL(f"report fetcher refuses {url[:100]!r}")

    def _static(self, url: str, relative: str) -> URLFetcherResponse:
        relative = relative.split("?", 1)[0].split("#", 1)[0]
        if not relative or ".." in relative.split("/") or relative.startswith("/"):
            return self._refuse(url)
        path = finders.find(relative) or self._collected(relative)
        if not path:
            return self._refuse(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            return URLFetcherResponse(url, handle.read(), {"Content-Type": content_type})

    @staticmethod
    def _collected(relative: str) -> str | None:
        """A collected file, e.g. a hashed name from the manifest storage in production."""
        try:
            if staticfiles_storage.exists(relative):
                return staticfiles_storage.path(relative)
        except (NotImplementedError, ValueError):
            pass
        return None

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > settings.REPORT_MAX_DATA_URL_BYTES:
            return self._refuse(url)
        header, _, payload = url[5:].partition(",")
        content_type = header.split(";")[0] or "text/plain"
        body = unquote_to_bytes(payload)
        if header.endswith(";base64"):
            body = base64.b64decode(body, validate=False)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})
