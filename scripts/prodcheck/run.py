"""make prod-check: the production-shaped stack, started on this machine and driven as users drive it.

1. Build the "image" the Dockerfile builds: a virtualenv from requirements.lock (kept between runs
   under PRODCHECK_CACHE, keyed by the lockfile), the code copied, collectstatic.
2. Start docker-compose.yml's roles (stack.py) as an unprivileged user with production settings:
   migrate, two gunicorns, a Celery worker and beat, behind Caddy (TLS with a certificate made for
   this run); PostgreSQL and Redis of their own; LinkedIn played by the sandbox server and S3 by
   moto. Wait until compose's own healthchecks pass.
3. Drive the journey (journey.py) over HTTPS with a plain HTTP client, printing each step.
4. Stop everything it started, by PID, whatever happened; drop the databases, flush Redis.

Any failure stops the run with exit status 1 and says which step failed and why, with the end of
the logs that matter; the logs are kept in test-artifacts/prod-check/. A taken port refuses to
start (exit status 2) naming it and the variable that moves it.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from scripts.prodcheck import journey, stack
from scripts.prodcheck.journey import Failed

ROOT = Path(__file__).resolve().parents[2]
DEV_BIN = ROOT / ".venv" / "bin"
CACHE = Path(os.environ.get("PRODCHECK_CACHE") or "/var/tmp/inmail-prodcheck")  # noqa: S108 - root's own cache
APP_USER = os.environ.get("PRODCHECK_USER") or "inmail-studio"
IMAGE_PYTHON = os.environ.get("PRODCHECK_PYTHON") or "/usr/bin/python3.11"
POSTGRES = (os.environ.get("PRODCHECK_POSTGRES") or "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("PRODCHECK_DATABASE") or "inmail_prodcheck"
REDIS = (os.environ.get("PRODCHECK_REDIS") or "redis://127.0.0.1:6379").rstrip("/")
REDIS_DBS = tuple(int(n) for n in (os.environ.get("PRODCHECK_REDIS_DBS") or "14,15").split(","))
ARTIFACTS = ROOT / "test-artifacts" / "prod-check"
READY_TIMEOUT = 90.0


# --- printing -------------------------------------------------------------------------------------

_started = time.monotonic()
_counter = 0


def say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def step(title: str) -> Iterator[Callable[[str], None]]:
    """Print a numbered step, then ✓ with what it found, or ✗ and re-raise."""
    global _counter
    _counter += 1
    say(f"[{_counter:2}] {title}")
    began = time.monotonic()
    notes: list[str] = []
    try:
        yield notes.append
    except BaseException as error:
        say(f"     ✗ FAILED after {time.monotonic() - began:.1f}s: {error}")
        raise
    for note in notes:
        say(f"     · {note}")
    say(f"     ✓ {time.monotonic() - began:.1f}s")


# --- processes ----------------------------------------------------------------------------------------


class Processes:
    """Everything this run starts, by PID, each in a process group of its own, each with a log file."""

    def __init__(self, log_dir: Path, user: tuple[int, int] | None) -> None:
        self.log_dir = log_dir
        self.user = user
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, TextIO] = {}

    def as_app_user(self, argv: list[str]) -> list[str]:
        if self.user is None:
            return argv
        uid, gid = self.user
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *argv]

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(
        self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, app_user: bool = False
    ) -> subprocess.Popen[bytes]:
        handle = open(self.log(name), "a")  # noqa: SIM115 - kept open for the process's life
        self._logs[name] = handle
        process = subprocess.Popen(  # noqa: S603 - fixed programs from this script
            self.as_app_user(argv) if app_user else argv,
            env=env,
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise Failed(
                    f"{name} (pid {process.pid}) exited with status {process.returncode}:\n{tail(self.log(name))}"
                )

    def stop_all(self) -> None:
        """SIGTERM each process group (newest first), SIGKILL what is still there after 10 s."""
        for process in reversed(list(self.running.values())):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in reversed(list(self.running.items())):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"     {name} (pid {process.pid}) ignored SIGTERM; killing it")
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for handle in self._logs.values():
            handle.close()
        self.running.clear()


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(f"        | {line}" for line in text[-lines:])


def run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, what: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed programs from this script
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise Failed(
            f"{what} failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def wait_for(what: str, check: Callable[[], bool | str], *, timeout: float = READY_TIMEOUT) -> float:
    """Poll check() until it is truthy; returns the seconds waited. Raises Failed naming the last problem."""
    began = time.monotonic()
    last = ""
    while time.monotonic() - began < timeout:
        try:
            outcome = check()
        except Exception as error:
            outcome, last = False, f"{type(error).__name__}: {error}"
        if outcome:
            return time.monotonic() - began
        if isinstance(outcome, str):
            last = outcome
        time.sleep(0.5)
    raise Failed(f"{what}: not ready after {timeout:.0f}s. Last problem: {last or 'none reported'}")


# --- preparation ----------------------------------------------------------------------------------------


def refuse_taken_ports(ports: stack.Ports) -> None:
    taken = []
    for name, port in ports.named().items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                taken.append(f"port {port} ({name.split(' ')[0]}) is taken")
    if taken:
        say("make prod-check refuses to start: " + "; ".join(taken) + ".")
        say("Stop what listens there, or choose free ports, e.g. PRODCHECK_PROXY_PORT=8543 make prod-check.")
        sys.exit(2)


def app_user() -> tuple[int, int] | None:
    """The unprivileged user the app runs as (created if missing); None when this script isn't root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(APP_USER)
    except KeyError:
        run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                APP_USER,
            ],
            what=f"creating the user {APP_USER}",
        )
        entry = pwd.getpwnam(APP_USER)
    return entry.pw_uid, entry.pw_gid


def build_image(run_dir: Path) -> tuple[Path, Path]:
    """The Dockerfile's steps: dependencies from requirements.lock (cached by its hash), the code, collectstatic."""
    lock = (ROOT / "requirements.lock").read_bytes()
    python_version = run(
        [IMAGE_PYTHON, "-c", "import sys; print(sys.version)"], what="the image's python"
    ).strip()
    key = hashlib.sha256(lock + python_version.encode()).hexdigest()[:16]
    venv = CACHE / f"venv-{key}"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        run([IMAGE_PYTHON, "-m", "venv", str(venv)], what="creating the image's virtualenv")
        run(
            [
                str(venv / "bin" / "pip"),
                "install",
                "--quiet",
                "--require-hashes",
                "--no-deps",
                "-r",
                str(ROOT / "requirements.lock"),
            ],
            what="pip install --require-hashes -r requirements.lock",
        )
        (venv / ".complete").touch()
    app = run_dir / "app"
    app.mkdir()
    for item in stack.IMAGE_COPIES:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, app / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, app / item)
    env = {
        **stack.BUILD_ENV,
        "PYTHONPATH": str(app),
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    run(
        ["python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=app,
        what="collectstatic",
    )
    for path in [app, *app.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (app / "manage.py").chmod(0o755)
    return app, venv / "bin"


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A certificate authority for this run and a certificate for localhost/127.0.0.1 signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "InMail Studio prod-check CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "localhost.pem",
        directory / "localhost-key.pem",
    )
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    ca_file.chmod(0o644)
    return ca_file, cert_file, key_file


def _postgres(*statements: str, password: str = "") -> None:
    """DDL as PostgreSQL's superuser; names are quoted as identifiers, the password as a literal."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(
                sql.SQL(statement).format(
                    db=sql.Identifier(DATABASE),
                    linkedin=sql.Identifier(f"{DATABASE}_linkedin"),
                    password=sql.Literal(password),
                )
            )


def create_databases(password: str) -> tuple[str, str]:
    drop_databases()
    _postgres(
        "CREATE ROLE {db} LOGIN PASSWORD {password}",
        "CREATE DATABASE {db} OWNER {db}",
        "CREATE DATABASE {linkedin}",
        password=password,
    )
    host = POSTGRES.split("@", 1)[-1]
    return f"postgres://{DATABASE}:{password}@{host}/{DATABASE}", f"{POSTGRES}/{DATABASE}_linkedin"


def drop_databases() -> None:
    _postgres(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)",
        "DROP DATABASE IF EXISTS {linkedin} WITH (FORCE)",
        "DROP ROLE IF EXISTS {db}",
    )


def flush_redis() -> None:
    import redis

    for number in REDIS_DBS:
        redis.Redis.from_url(f"{REDIS}/{number}").flushdb()


def caddyfile(run_dir: Path, cert: Path, key: Path, ports: stack.Ports) -> Path:
    path = run_dir / "Caddyfile"
    path.write_text(
        "# make prod-check's proxy: the same site as docker-compose.yml's (deploy/studio.caddy),\n"
        "# with this run's certificate, on 127.0.0.1 only, no admin endpoint, no HTTP listener.\n"
        "{\n\tadmin off\n\tauto_https disable_redirects\n"
        f"\tstorage file_system {run_dir / 'caddy'}\n}}\n"
        f"https://localhost:{ports.proxy} {{\n\tbind 127.0.0.1\n\ttls {cert} {key}\n"
        f"\timport {ROOT / 'deploy' / 'studio.caddy'}\n}}\n"
    )
    return path


# --- the run -------------------------------------------------------------------------------------------------


def healthcheck(processes: Processes, role: str, env: dict[str, str], cwd: Path) -> Callable[[], bool | str]:
    """compose's healthcheck for a role, run as its user with its environment."""
    test = stack.HEALTHCHECKS[role]
    if test[0] == "CMD":
        argv = test[1:]
    else:  # CMD-SHELL; compose turns $$ into $ before the shell sees it
        argv = ["sh", "-c", test[1].replace("$$", "$")]
        env = {**env, "HOSTNAME": socket.gethostname()}

    def check() -> bool | str:
        processes.check_alive()
        result = subprocess.run(  # noqa: S603 - compose's own healthcheck command
            processes.as_app_user(argv),
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return (
            True
            if result.returncode == 0
            else (result.stdout + result.stderr).strip()[-500:] or f"exit {result.returncode}"
        )

    return check


def main() -> int:
    ports = stack.Ports()
    refuse_taken_ports(ports)
    for tool in ("caddy", "setpriv", IMAGE_PYTHON):
        if not shutil.which(tool):
            say(
                f"make prod-check needs {tool}; scripts/prodcheck/install.sh installs it (make prod-check runs it)."
            )
            return 2
    say(
        f"make prod-check: docker-compose.yml's stack on this machine, driven over HTTPS ({datetime.datetime.now():%H:%M:%S})"
    )
    run_dir = Path(tempfile.mkdtemp(prefix="inmail-prodcheck-"))
    run_dir.chmod(0o755)
    log_dir = run_dir / "logs"
    log_dir.mkdir()
    processes = Processes(log_dir, app_user())
    ok = False

    def interrupted(signum: int, frame: Any) -> None:
        raise SystemExit(f"interrupted by signal {signum}")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)
    try:
        context = start_stack(run_dir, ports, processes)
        journey.Journey(context).run(step)
        ok = True
    except Failed as error:
        say(f"\nmake prod-check FAILED: {error}")
    except SystemExit as error:
        say(f"\nmake prod-check stopped: {error}")
    except Exception:
        say(f"\nmake prod-check FAILED with an error of its own:\n{traceback.format_exc()}")
    finally:
        say("Stopping everything this run started…")
        processes.stop_all()
        try:
            drop_databases()
            flush_redis()
        except Exception as error:  # the cleanup must not hide the run's own outcome
            say(f"  cleanup: {error}")
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(log_dir, ARTIFACTS)
        shutil.rmtree(run_dir, ignore_errors=True)
    took = time.monotonic() - _started
    if ok:
        say(
            f"\nmake prod-check passed: {_counter} steps in {took:.0f}s (logs in {ARTIFACTS.relative_to(ROOT)}/)"
        )
        return 0
    for name in ("web1", "web2", "worker", "beat", "linkedin", "proxy", "s3"):
        if (ARTIFACTS / f"{name}.log").exists():
            say(f"\n  --- end of {name}.log ---\n{tail(ARTIFACTS / f'{name}.log', 15)}")
    say(f"\nmake prod-check failed after {took:.0f}s; every log is in {ARTIFACTS.relative_to(ROOT)}/")
    return 1


def start_stack(run_dir: Path, ports: stack.Ports, processes: Processes) -> journey.Context:
    with step(
        "Build the image as the Dockerfile does (requirements.lock with hashes, the code, collectstatic)"
    ) as note:
        app, venv_bin = build_image(run_dir)
        note(
            f"virtualenv {venv_bin.parent} from requirements.lock; code copied: {', '.join(stack.IMAGE_COPIES)}"
        )

    with step(
        "Make a certificate authority and a certificate for localhost; databases, Redis, folders"
    ) as note:
        certs = run_dir / "certs"
        certs.mkdir()
        certs.chmod(0o755)
        ca, cert, key = make_certificates(certs)
        database_url, linkedin_database = create_databases(secrets.token_urlsafe(16))
        flush_redis()
        state = run_dir / "state"
        for folder in [
            state,
            state / "beat",
            *(state / f"media-web{i}" for i in range(1, len(ports.web) + 1)),
        ]:
            folder.mkdir()
            folder.chmod(0o750)
            if processes.user:
                os.chown(folder, *processes.user)
        note(f"PostgreSQL databases {DATABASE} (owned by role {DATABASE}) and {DATABASE}_linkedin")
        note(f"Redis databases {REDIS_DBS[0]} (broker) and {REDIS_DBS[1]} (cache)")
        owner = APP_USER if processes.user else "this user"
        note(
            f"media folders and beat's state owned by {owner}: {', '.join(p.name for p in sorted(state.iterdir()))}"
        )

    run_ = stack.Run(
        ports=ports,
        app_dir=str(app),
        venv_bin=str(venv_bin),
        state_dir=str(state),
        ca_file=str(ca),
        database_url=database_url,
        broker_url=f"{REDIS}/{REDIS_DBS[0]}",
        cache_url=f"{REDIS}/{REDIS_DBS[1]}",
        secret_key=secrets.token_urlsafe(50),
        token_key=__import__("base64").urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        client_id="inmail-studio-prodcheck",
        client_secret=secrets.token_urlsafe(24),
        bucket="inmail-prodcheck-media",
        s3_key_id="prodcheck",
        s3_secret=secrets.token_urlsafe(24),
    )
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(run_dir), "LANG": "C.UTF-8"}

    with step(
        f"Start the stand-ins: S3 (moto, https://localhost:{ports.s3}) and LinkedIn (sandbox server, {run_.linkedin_url})"
    ) as note:
        processes.start(
            "s3",
            [
                str(DEV_BIN / "moto_server"),
                "-H",
                "127.0.0.1",
                "-p",
                str(ports.s3),
                "--ssl-cert",
                str(cert),
                "--ssl-key",
                str(key),
            ],
            env={**base_env, "AWS_ACCESS_KEY_ID": run_.s3_key_id, "AWS_SECRET_ACCESS_KEY": run_.s3_secret},
            cwd=run_dir,
        )
        processes.start(
            "linkedin",
            [
                str(DEV_BIN / "python"),
                "manage.py",
                "sandbox_serve",
                "--port",
                str(ports.linkedin),
                "--database-url",
                linkedin_database,
            ],
            env={
                **base_env,
                "LINKEDIN_CLIENT_ID": run_.client_id,
                "LINKEDIN_CLIENT_SECRET": run_.client_secret,
                "LOG_FORMAT": "json",
            },
            cwd=ROOT,
        )
        import boto3
        import requests

        def s3_up() -> bool:
            processes.check_alive()
            return requests.get(run_.s3_url, verify=str(ca), timeout=2).status_code < 500

        note(f"S3 stand-in answering after {wait_for('S3 (moto)', s3_up):.1f}s")
        s3 = boto3.client(
            "s3",
            endpoint_url=run_.s3_url,
            aws_access_key_id=run_.s3_key_id,
            aws_secret_access_key=run_.s3_secret,
            region_name="us-east-1",
            verify=str(ca),
        )
        s3.create_bucket(Bucket=run_.bucket)
        note(f"private bucket {run_.bucket} created")

        def linkedin_up() -> bool:
            processes.check_alive()
            return requests.get(f"{run_.linkedin_url}/healthz", timeout=2).status_code == 200

        note(
            f"LinkedIn stand-in migrated, seeded and answering after {wait_for('LinkedIn (sandbox server)', linkedin_up):.1f}s"
        )

    with step(
        f"compose's migrate: {' '.join(stack.COMMANDS['migrate'])} (as {APP_USER if processes.user else 'this user'})"
    ) as note:
        env = stack.role_environment(run_, "migrate")
        output = run(processes.as_app_user(stack.COMMANDS["migrate"]), env=env, cwd=app, what="migrate")
        note(f"{output.count('  Applying ')} migrations applied")

    with step(
        f"Start web ×{len(ports.web)} (gunicorn), worker and beat as {APP_USER if processes.user else 'this user'}, Caddy in front"
    ) as note:
        for i in range(len(ports.web)):
            processes.start(
                f"web{i + 1}",
                stack.COMMANDS["web"],
                env=stack.role_environment(run_, "web", i),
                cwd=app,
                app_user=True,
            )
        processes.start(
            "worker",
            stack.COMMANDS["worker"],
            env=stack.role_environment(run_, "worker"),
            cwd=app,
            app_user=True,
        )
        processes.start(
            "beat", stack.COMMANDS["beat"], env=stack.role_environment(run_, "beat"), cwd=app, app_user=True
        )
        processes.start(
            "proxy",
            ["caddy", "run", "--config", str(caddyfile(run_dir, cert, key, ports)), "--adapter", "caddyfile"],
            env={
                **base_env,
                "XDG_DATA_HOME": str(run_dir / "caddy"),
                "XDG_CONFIG_HOME": str(run_dir / "caddy"),
                "STUDIO_UPSTREAMS": "to " + " ".join(f"127.0.0.1:{p}" for p in ports.web),
            },
            cwd=run_dir,
        )
        for name, process in processes.running.items():
            note(f"{name}: pid {process.pid}")

    with step(
        "Wait until compose's healthchecks pass (web ×2, worker, beat) and the proxy answers over HTTPS"
    ) as note:
        for i in range(len(ports.web)):
            env = stack.role_environment(run_, "web", i)
            waited = wait_for(f"web{i + 1}'s healthcheck", healthcheck(processes, "web", env, app))
            note(
                f"web{i + 1} healthy after {waited:.1f}s: {' '.join(stack.HEALTHCHECKS['web'][1:])} (GUNICORN_BIND={env['GUNICORN_BIND']})"
            )
        for role in ("worker", "beat"):
            waited = wait_for(
                f"{role}'s healthcheck", healthcheck(processes, role, stack.role_environment(run_, role), app)
            )
            test = stack.HEALTHCHECKS[role]
            note(
                f"{role} healthy after {waited:.1f}s: {test[1] if test[0] == 'CMD-SHELL' else ' '.join(test[1:])}"
            )
        import requests

        def proxy_up() -> bool | str:
            processes.check_alive()
            answer = requests.get(f"{run_.site_url}/healthz", verify=str(ca), timeout=3)
            return answer.status_code == 200 or f"{answer.status_code} {answer.text[:200]}"

        note(f"Caddy answers {run_.site_url}/healthz after {wait_for('the proxy', proxy_up):.1f}s")

    def manage(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """manage.py in the image as the app's user: what `docker compose run --rm web python manage.py …` does."""
        result = subprocess.run(  # noqa: S603 - the image's manage.py
            processes.as_app_user(["python", "manage.py", *args]),
            env={**stack.app_environment(run_), **(env or {})},
            cwd=app,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return result.returncode, result.stdout + result.stderr

    return journey.Context(
        run=run_,
        logs=processes.log,
        web_logs=[processes.log(f"web{i + 1}") for i in range(len(ports.web))],
        manage=manage,
        check_alive=processes.check_alive,
        media_dirs=[state / f"media-web{i + 1}" for i in range(len(ports.web))],
    )


if __name__ == "__main__":
    sys.exit(main())
