import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "7Qz!x" * 8,
        DJANGO_ALLOWED_HOSTS="appro.example.org",
        DATABASE_URL="postgres://appro:secret@127.0.0.1:5432/appro",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="",
        DATABASE_URL="postgres://appro:secret@127.0.0.1:5432/appro",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_links_of_production_e_mails_point_at_the_site():
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "7Qz!x" * 8,
        "DATABASE_URL": "postgres://appro:secret@127.0.0.1:5432/appro",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        DJANGO_ALLOWED_HOSTS="appro.example.org,autre.example.org",
        **production,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "https://appro.example.org"

    refused = run_manage("check", DJANGO_ALLOWED_HOSTS="", **production)
    assert refused.returncode != 0
    assert "SITE_URL" in refused.stderr


def test_in_process_tasks_need_no_broker_and_say_nothing_of_one():
    # Celery builds a producer even for a task run in-process; on its default AMQP URL kombu
    # warned "No hostname was supplied" in the middle of make run's output.
    result = run_manage(
        "shell",
        "-c",
        "from config.celery import app\n"
        "with app.producer_or_acquire() as producer: print(producer.connection.transport_cls)",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        CELERY_BROKER_URL="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("memory")
    assert "hostname" not in result.stderr


def test_the_default_settings_ask_no_outside_host():
    """Nothing outside is reachable from the platform's servers: no geocoder unless one in
    its network is named, no routing server, no outside broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOCODER_", "OSRM_"))}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings\n"
            "print(repr(settings.GEOCODER_DOMAIN), settings.GEOCODER_ENABLED,"
            " repr(settings.OSRM_URL))",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["''", "False", "''"]
