"""WSGI entry point for gunicorn: `gunicorn assessment.wsgi`."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assessment.settings")

application = get_wsgi_application()

# Objects made at start-up (modules, models, settings, the views behind the URLconf)
# live as long as the worker: move them out of the collector's reach, so that full
# collections during requests walk only what requests make (they were the p95 tail).
import_module(settings.ROOT_URLCONF)
gc.freeze()
