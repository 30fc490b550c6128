import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

application = get_wsgi_application()

if settings.EMBEDDING_PRELOAD:
    from engine.encoder import preload_in_background

    preload_in_background()
