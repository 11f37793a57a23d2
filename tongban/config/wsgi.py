import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
application = get_wsgi_application()

from tongban.core.deployment import deployment_refuse  # noqa: E402 - needs the settings loaded

deployment_refuse()
