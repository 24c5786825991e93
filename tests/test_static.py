"""The production static pipeline (whitenoise's manifest storage) must accept every file we
ship: a vendored script naming a source map we do not ship stops collectstatic."""

from django.core.management import call_command


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()


def test_the_site_has_a_favicon(client):
    page_icon = client.get("/favicon.ico")

    assert page_icon.status_code == 301
    assert page_icon["Location"].endswith("img/favicon.svg")
    assert 'rel="icon"' in client.get("/connexion/").content.decode()


def test_every_answer_keeps_the_browser_on_this_server(client, db):
    """The Content-Security-Policy: pages, API documentation and JSON alike take nothing
    from another host (core.middleware)."""
    for path in ("/connexion/", "/api/v1/docs/", "/api/v1/schema/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy, path
        assert "http" not in policy, path
