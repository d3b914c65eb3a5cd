"""A PDF's stylesheet is found as the app serves it: in development the app's own file, as
deployed the collected copy whose name carries its hash (tests run in development's way)."""

import json

import pytest
from django.templatetags.static import static

from toolkit.pdf import static_file

DEPLOYED = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture
def deployed_static_files(settings, tmp_path):
    """Static files as `collectstatic` leaves them with the deployed storage: each under its
    hashed name, and the manifest mapping names to them."""
    settings.STORAGES = settings.STORAGES | {"staticfiles": {"BACKEND": DEPLOYED}}
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "plan-print.0123abcd4567.css").write_text("h1 { color: navy }")
    manifest = {"paths": {"css/plan-print.css": "css/plan-print.0123abcd4567.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest | {"version": "1.1"}))
    return tmp_path


def test_a_pdf_made_as_deployed_has_its_stylesheet(deployed_static_files):
    url = static("css/plan-print.css")
    assert url.endswith("/css/plan-print.0123abcd4567.css")
    assert static_file(url) == (b"h1 { color: navy }", "text/css")


def test_a_pdf_made_in_development_has_its_stylesheet():
    body, kind = static_file(static("css/plan-print.css"))
    assert kind == "text/css"
    assert body


@pytest.mark.parametrize(
    "url",
    [
        "/media/private.pdf",
        "/static/../../../etc/passwd",
        "/static/css/missing.css",
    ],
)
def test_nothing_else_is_fetched(url, deployed_static_files):
    with pytest.raises(ValueError, match="Not fetched for a PDF"):
        static_file(url)
