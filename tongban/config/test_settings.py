"""Settings for the test suite: the same as production's but for fast hashing and static files
served without a collected manifest."""

import tempfile
from pathlib import Path

from tongban.config.settings import *
from tongban.config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = None  # tests serve static files from the finders; nothing is collected
WHITENOISE_USE_FINDERS = True
TONGBAN_DEADLINE_RECOMPUTE_BACKGROUND = False  # the rebuild after a calendar change runs inline
TONGBAN_FIELD_ROTATION_BACKGROUND = False  # and the re-encryption after a key rotation
# Audit checkpoints and the keys stay out of var/ (conftest gives each test its own store).
TESTS_DIR = Path(tempfile.mkdtemp(prefix="tongban-tests-"))
TONGBAN_AUDIT_CHECKPOINT_DIR = TESTS_DIR / "audit-checkpoints"
TONGBAN_AUDIT_KEY_FILE = TESTS_DIR / "audit-sm2.json"
TONGBAN_FIELD_KEY_FILE = TESTS_DIR / "field-sm4.json"
