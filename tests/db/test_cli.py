"""`ketapath db upgrade`, `ketapath user create` and `ketapath audit verify` on a temporary SQLite
file, through the real entry point and its error boundary."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from ketapath.cli.main import app, main
from ketapath.store.database import create_database_engine
from ketapath.store.migrate import current_revision, head_revision

PASSWORD = "correct horse battery staple"


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """A SQLite file that does not exist yet; KETAPATH_* variables cleared."""
    for name in list(os.environ):
        if name.startswith("KETAPATH_"):
            monkeypatch.delenv(name)
    return str(tmp_path / "clinic" / "ketapath.sqlite3")


@pytest.fixture
def ketapath(capsys, monkeypatch):
    """Run the real entry point in-process, as a shell would: exit code, stdout, stderr."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str, stdin: str = "") -> Done:
        monkeypatch.setattr(sys, "argv", ["ketapath", *args])
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Done(returncode=code, stdout=out.out, stderr=out.err)

    return run


def _create_user(ketapath, url: str, username: str = "admin") -> Done:
    return ketapath(
        "user",
        "create",
        "--username",
        username,
        "--role",
        "admin",
        "--full-name",
        "Ada Admin",
        "--password-stdin",
        "--database-url",
        url,
        stdin=PASSWORD + "\n",
    )


def test_cli_db_upgrade_creates_the_database_at_the_newest_revision(ketapath, database):
    url = f"sqlite:///{database}"
    done = ketapath("db", "upgrade", "--database-url", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Database {url} is at revision {head_revision()} (newest)."
    engine = create_database_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_cli_db_upgrade_reads_the_url_from_the_environment(ketapath, database, monkeypatch):
    monkeypatch.setenv("KETAPATH_DATABASE_URL", f"sqlite:///{database}")
    done = ketapath("db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert os.path.exists(database)


def test_cli_db_upgrade_with_placeholder_secret_in_production_exits_2(
    ketapath, database, monkeypatch
):
    monkeypatch.setenv("KETAPATH_SECRET_KEY", "changethis")
    done = ketapath("db", "upgrade", "--database-url", f"sqlite:///{database}")
    assert done.returncode == 2
    assert done.stderr.startswith("error: Invalid setting `secret_key`")


def test_cli_user_create_stores_only_an_argon2id_hash(ketapath, database):
    url = f"sqlite:///{database}"
    ketapath("db", "upgrade", "--database-url", url)
    done = _create_user(ketapath, url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Created admin 'admin' (Ada Admin), id ")
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT password_hash FROM app_user").fetchone()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_cli_user_create_asks_the_password_twice(database, monkeypatch):
    url = f"sqlite:///{database}"
    monkeypatch.setenv("KETAPATH_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(
        app,
        ["user", "create", "--username", "dr.lee", "--role", "physician", "--full-name", "Dr Lee"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created physician 'dr.lee' (Dr Lee)" in result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "error: `password` must be at least 12 characters (got 5)."),
        ("", "error: `--password-stdin` was given but stdin was empty."),
    ],
    ids=["a 5-character password", "an empty stdin"],
)
def test_cli_user_create_with_bad_password_exits_2(ketapath, database, password, message):
    url = f"sqlite:///{database}"
    ketapath("db", "upgrade", "--database-url", url)
    done = ketapath(
        "user",
        "create",
        "--username",
        "u",
        "--role",
        "nurse",
        "--full-name",
        "U",
        "--password-stdin",
        "--database-url",
        url,
        stdin=password + "\n" if password else "",
    )
    assert done.returncode == 2
    assert done.stderr.strip() == message


def test_cli_user_create_twice_exits_2_with_one_line(ketapath, database):
    url = f"sqlite:///{database}"
    ketapath("db", "upgrade", "--database-url", url)
    assert _create_user(ketapath, url).returncode == 0
    done = _create_user(ketapath, url)
    assert done.returncode == 2
    assert done.stderr.startswith("error: Cannot store user 'admin': UNIQUE constraint failed")
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_audit_verify_prints_ok_with_the_entry_count(ketapath, database):
    url = f"sqlite:///{database}"
    ketapath("db", "upgrade", "--database-url", url)
    assert ketapath("audit", "verify", "--database-url", url).stdout.strip() == (
        "OK: 0 audit entries verified."
    )
    _create_user(ketapath, url, "first")
    _create_user(ketapath, url, "second")
    done = ketapath("audit", "verify", "--database-url", url)
    assert (done.returncode, done.stdout.strip()) == (0, "OK: 2 audit entries verified.")


def test_cli_audit_verify_names_the_first_broken_entry_and_exits_2(ketapath, database):
    url = f"sqlite:///{database}"
    ketapath("db", "upgrade", "--database-url", url)
    for username in ("first", "second", "third"):
        _create_user(ketapath, url, username)
    with sqlite3.connect(database) as connection:  # the file's owner, bypassing the trigger
        connection.execute("DROP TRIGGER audit_entry_no_update")
        connection.execute("UPDATE audit_entry SET role = 'physician' WHERE sequence = 2")
    done = ketapath("audit", "verify", "--database-url", url)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "BROKEN at entry 2: entry 2 does not match its hash: its content was changed "
        "(1 entry before it verified)."
    )
