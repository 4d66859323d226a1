import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The shared personas each get a password; PBKDF2 makes that seconds per test on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
