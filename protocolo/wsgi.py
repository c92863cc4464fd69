import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protocolo.settings")

application = get_wsgi_application()

# The URL configuration imports every view and what they use (the PDF renderer and signer among
# them). Importing it here, rather than on the first request, puts it in gunicorn's master under
# preload_app (gunicorn.conf.py), so no worker pays for it.
import_module(settings.ROOT_URLCONF)
