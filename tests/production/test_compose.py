"""docker-compose.yml, the Dockerfile and make prod-check describe one stack (they can't drift apart).

Docker can't run on these machines, so make prod-check (scripts/prodcheck/stack.py) starts the
compose file's roles itself. These tests read the compose file and the Dockerfile and fail on any
disagreement: services, commands, healthchecks, web replicas, environment names, copied folders.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.prodcheck import stack

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_ROLES = sorted(stack.COMMANDS)


def _run() -> stack.Run:
    return stack.Run(
        ports=stack.Ports(),
        app_dir="/app",
        venv_bin="/venv/bin",
        state_dir="/state",
        ca_file="/ca.pem",
        database_url="postgres://u:p@127.0.0.1:5432/d",
        broker_url="redis://127.0.0.1:6379/14",
        cache_url="redis://127.0.0.1:6379/15",
        secret_key="s",
        token_key="k",
        client_id="c",
        client_secret="cs",
        bucket="b",
        s3_key_id="i",
        s3_secret="x",
    )


def test_compose_and_prod_check_run_the_same_services() -> None:
    assert set(SERVICES) == set(stack.COMMANDS) | set(stack.SERVICES)


@pytest.mark.parametrize("role", APP_ROLES)
def test_each_app_role_runs_the_same_command(role: str) -> None:
    assert SERVICES[role]["command"] == stack.COMMANDS[role]


@pytest.mark.parametrize("role", sorted(stack.HEALTHCHECKS))
def test_each_role_is_checked_with_the_same_healthcheck(role: str) -> None:
    assert SERVICES[role]["healthcheck"]["test"] == stack.HEALTHCHECKS[role]


def test_every_long_running_app_role_has_a_healthcheck_and_migrate_runs_before_them() -> None:
    assert set(stack.HEALTHCHECKS) == {"web", "worker", "beat"}
    for role in stack.HEALTHCHECKS:
        assert SERVICES[role]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_prod_check_runs_as_many_web_processes_as_compose_runs_replicas() -> None:
    assert SERVICES["web"]["deploy"]["replicas"] == stack.WEB_INSTANCES == len(stack.Ports().web)


@pytest.mark.parametrize("role", APP_ROLES)
def test_prod_check_gives_each_role_every_variable_compose_gives_it(role: str) -> None:
    compose_names = set(SERVICES[role]["environment"])
    ours = stack.role_environment(_run(), role)
    assert compose_names <= set(ours), (
        f"prod-check doesn't set {sorted(compose_names - set(ours))} for {role}"
    )
    assert ours["DJANGO_ENV"] == "production"
    assert ours["LINKEDIN_SANDBOX"] == "false"


def test_prod_check_sets_every_variable_production_requires() -> None:
    """.env.example marks what a deployment's .env must hold; prod-check's roles hold all of it."""
    required = re.findall(r"^([A-Z_]+)=.*REQUIRED in production", (ROOT / ".env.example").read_text(), re.M)
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"} <= set(required)
    assert set(required) <= set(stack.app_environment(_run()))


def test_the_proxy_serves_the_same_site_in_compose_and_in_prod_check() -> None:
    proxy = SERVICES["proxy"]
    mounted = {volume.split(":")[0] for volume in proxy["volumes"]}
    assert {"./deploy/Caddyfile", "./deploy/studio.caddy"} <= mounted
    assert "import studio.caddy" in (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$STUDIO_UPSTREAMS}" in (ROOT / "deploy" / "studio.caddy").read_text()
    assert proxy["environment"]["STUDIO_UPSTREAMS"] == "dynamic a web 8000"
    # web publishes no port: only the proxy reaches it, which is why it trusts the forwarded headers.
    assert "ports" not in SERVICES["web"]
    assert SERVICES["web"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"


def test_the_image_copies_what_prod_check_copies_and_installs_from_the_lockfile() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copies = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    assert copies == ["requirements.lock", *stack.IMAGE_COPIES]
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install ." not in dockerfile  # the code is in the image once
    for name, value in stack.BUILD_ENV.items():
        assert f"{name}={value}" in dockerfile, f"the Dockerfile's collectstatic lacks {name}"
    # The media volume's folder belongs to the unprivileged user the image runs as.
    assert "chown studio:studio /app/media" in dockerfile
    assert re.search(r"^USER studio$", dockerfile, re.M)


def test_the_build_context_leaves_out_what_the_image_must_not_hold() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for name in (".git", ".venv", ".env", "media", "db.sqlite3*"):
        assert name in ignored


def test_the_media_volume_is_mounted_where_the_image_made_the_folder() -> None:
    for role in APP_ROLES:
        assert "media:/app/media" in SERVICES[role]["volumes"]
