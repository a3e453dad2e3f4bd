"""The deployment files say what the README promises."""

import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_stack_has_database_broker_web_worker_and_beat_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    workers = {"worker-default", "worker-metrics", "worker-imports"}
    assert {"db", "redis", "web", "beat", *workers} <= set(services)
    for name in ("db", "redis", "web", *workers):
        assert "healthcheck" in services[name], name
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")
    for name in workers:
        assert services[name]["command"][:4] == ["celery", "-A", "portal", "worker"], name


def test_compose_workers_between_them_listen_on_every_queue_once():
    from portal.celery import app

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    queues = []
    for service in services.values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "portal", "worker"]:
            queues += command[command.index("-Q") + 1].split(",")
    assert sorted(queues) == sorted(app.amqp.queues)


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_deploy_check_passes_under_production_settings():
    env = {"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin",
           "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-used-only-for-this-check-0123456789",
           "PII_KEY": "x", "DJANGO_ALLOWED_HOSTS": "tuoyu.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_security_headers_on_every_page(client, db):
    response = client.get("/", secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/api/v1/regions/" in out.read_text(encoding="utf-8")


def test_compose_stack_migrates_as_the_owner_and_serves_as_the_app_role():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_URL"].startswith("postgres://tuoyu_owner:") and migrate["DATABASE_APP_ROLE"] == "tuoyu_app"
    for name in ("web", "worker-default", "worker-metrics", "worker-imports", "beat"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://tuoyu_app:"), name
    init = (ROOT / "docker" / "postgres-init-roles.sh").read_text(encoding="utf-8")
    assert "CREATE ROLE tuoyu_owner LOGIN NOSUPERUSER" in init and "CREATE ROLE tuoyu_app LOGIN NOSUPERUSER" in init
    assert "CREATE DATABASE tuoyu OWNER tuoyu_owner" in init
    assert any("postgres-init-roles.sh" in volume for volume in services["db"]["volumes"])
