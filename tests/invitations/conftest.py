import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test its own media folder: batch and letter ids repeat between tests."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
