"""Settings for the test suite: the same as production's but for fast hashing and static files
served without a collected manifest."""

from tongban.config.settings import *
from tongban.config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = None  # tests serve static files from the finders; nothing is collected
WHITENOISE_USE_FINDERS = True
TONGBAN_DEADLINE_RECOMPUTE_BACKGROUND = False  # the rebuild after a calendar change runs inline
