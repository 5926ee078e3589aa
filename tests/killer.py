"""Run ipscore in real child processes and SIGKILL them: at a chosen step, or after a delay.

A small fork server (``python killer.py``, started once per test module) imports ipscore and
its writers, then forks one child per request, so a child starts in milliseconds and a
hundred killed runs stay fast. A child is an ordinary process running the command line
(the ipscore command line, built once in the server); it is killed with SIGKILL, which it
cannot catch. The server is
single-threaded and never scores anything itself, so forking it is safe.

Steps: with ``kill_at = n`` the child kills itself at its n-th step, where a step is every
place where what a reader sees can change — before and after each ``os.fsync`` (a file
written whole), ``os.replace`` (a file renamed into place) and ``os.unlink`` (a temporary or
the lock removed), and before and after each history-store transaction. Kills in the middle
of a write are left to the random delays. Every
child counts its steps; the server reports the count with the exit status.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_steps = [0]


def _arm(kill_at: int) -> None:
    """Count the write steps; the ``kill_at``-th one kills the process (0: never)."""
    import ipscore.store.history as history

    def step() -> None:
        _steps[0] += 1
        if _steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            step()
            result = call(*args, **kwargs)
            step()
            return result

        return wrapped

    for name in ("fsync", "replace", "unlink"):
        setattr(os, name, wrap(getattr(os, name)))
    for name in ("record", "publish"):
        if hasattr(history.Store, name):
            setattr(history.Store, name, wrap(getattr(history.Store, name)))


def _child(request: dict[str, Any], report: int) -> None:
    """In the forked child: run the command line, write the step count to ``report``."""
    real_write = os.write
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.chdir(request["cwd"])
    os.environ.update(request.get("env", {}))
    _arm(int(request.get("kill_at", 0)))
    assert _command is not None
    code = 0
    try:
        _command.main(request["argv"], prog_name="ipscore")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 1
    real_write(report, str(_steps[0]).encode())
    os._exit(code)


_command: Any = None


def _warm_up() -> None:
    """Build the command line once (typer turns the commands into click commands on every
    call, which costs more than a publication; the children run the built one), and run a
    publication and a ranking in a scratch folder so that every lazy import is done."""
    global _command
    import shutil
    import tempfile

    import typer.main

    from ipscore.cli.common import app

    _command = typer.main.get_command(app)
    samples = Path(__file__).parents[1] / "samples"
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            inbox = Path(scratch) / "in"
            inbox.mkdir()
            shutil.copy(samples / "2019-05.xlsx", inbox)
            db = str(Path(scratch) / "h.db")
            for argv in (
                [
                    "notice",
                    "--inbox",
                    str(inbox),
                    "--out",
                    scratch,
                    "--db",
                    db,
                    "--settle",
                    "0",
                    "--formats",
                    "md,xlsx",
                    "--date",
                    "2019-07-05",
                ],
                ["rank", str(inbox / "2019-05.xlsx"), "-o", f"{scratch}/r.xlsx", "--db", db],
            ):
                with contextlib.suppress(SystemExit):
                    _command.main(argv, prog_name="ipscore")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (null, *saved):
            os.close(fd)


def serve() -> None:
    """The server loop: one JSON request per line in, one JSON answer per line out."""
    import openpyxl  # noqa: F401

    import ipscore.app.inbox
    import ipscore.app.rank
    import ipscore.cli
    import ipscore.cli.common
    import ipscore.render.notice_md
    import ipscore.render.sheet
    import ipscore.render.xlsx  # noqa: F401

    _warm_up()
    for line in sys.stdin:
        request = json.loads(line)
        read_end, write_end = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _child(request, write_end)
        os.close(write_end)
        delay = request.get("delay")
        if delay is not None:
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)  # a child that has ended is a zombie until reaped
        _, status = os.waitpid(pid, 0)
        elapsed = time.monotonic() - started
        with os.fdopen(read_end, "rb") as pipe:
            steps = pipe.read().decode() or "0"
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"code": code, "steps": int(steps), "seconds": elapsed}), flush=True)


class Server:
    """The test side: start the server, send it runs."""

    def __init__(self) -> None:
        here = Path(__file__).parent
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(here), *sys.path]))
        self.process = subprocess.Popen(
            [sys.executable, str(here / "killer.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(
        self,
        argv: Sequence[str],
        cwd: Path,
        *,
        kill_at: int = 0,
        delay: float | None = None,
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run one child to its end, to its ``kill_at``-th step, or until ``delay`` seconds."""
        request = {
            "argv": list(argv),
            "cwd": str(cwd),
            "kill_at": kill_at,
            "delay": delay,
            "env": env or {},
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the kill server stopped"
        return json.loads(answer)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


if __name__ == "__main__":
    serve()
