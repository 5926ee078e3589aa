"""Command-line values: ipscore's plain converters agree with Typer's pydantic coercion.

``ipscore.cli.values`` turns option values without pydantic (start-up, see its docstring). Every
parameter of every command must get a plain converter, and on a table of typed values the plain
converter and Typer's own coercion must both give the same value, or both refuse it; the few
values where ipscore refuses on purpose what pydantic takes are listed and checked as refusals.
"""

from __future__ import annotations

import enum
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.testing import CliRunner

from ipscore.cli import app
from ipscore.cli.values import PlainRuntimeParam, converter, install
from tests.conftest import SAMPLES_DIR


def _params() -> list[tuple[str, Any, Any]]:
    found = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if hasattr(param, "type_descriptor"):
                found.append((f"{path} {param.name}".strip(), command, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "ipscore")
    return found


PARAMS = _params()
IDS = [name for name, _, _ in PARAMS]

TEXT = ["", "2019-05", " 张店区 ", "=cmd|' /C calc'!A0", "a\nb", "-"]
WHOLE = ["2019", " 2019 ", "+5", "-3", "0", "1_000", "1990", "2100", "2101", "1989", "abc", ""]
WHOLE += ["２０１９", "0x10", "1e3", "5.5", "٣"]
NUMBER = ["0", "0.2", " 0.5 ", "-1", "1e-1", ".5", "60", "abc", "", "５", "1,5", "-0"]
PATHS = ["samples/2019-05.xlsx", "", "通报", "/dev/null", "a\nb.xlsx", "-"]

DELIBERATE = {
    # ipscore refuses what pydantic's lax mode takes: no option means NaN or infinity, and a
    # whole number is written without a decimal point.
    (float, "nan"),
    (float, "inf"),
    (float, "-Infinity"),
    (int, "12.0"),
}


def _values(annotation: Any) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        words = [str(member.value) for member in annotation]
        return [*words, *(w.upper() for w in words), "pdf", "", next(iter(annotation))]
    if annotation is int:
        return [*WHOLE, 7]
    if annotation is float:
        return [*NUMBER, 3, 0.25]
    if annotation is bool:
        return [True, False]
    if annotation is Path:
        return [*PATHS, Path("x.xlsx")]
    if annotation is str:
        return TEXT
    if annotation == list[Path]:
        return [("a.xlsx", "b.csv"), ("通报",)]
    raise AssertionError(f"no test values for {annotation!r}")


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter:
        return ("refused", None)
    return ("value", (type(result), result))


@pytest.mark.parametrize(("name", "command", "param"), PARAMS, ids=IDS)
def test_every_parameter_has_a_plain_converter(name: str, command: Any, param: Any) -> None:
    assert converter(param) is not None, f"{name}: add its type to ipscore/cli/values.py"


@pytest.mark.parametrize(("name", "command", "param"), PARAMS, ids=IDS)
def test_plain_conversion_agrees_with_typer(name: str, command: Any, param: Any) -> None:
    ctx = command.make_context("ipscore", [], resilient_parsing=True)
    plain = PlainRuntimeParam(
        parameter_info=param.type_descriptor.parameter_info,
        annotation=param.type_descriptor.annotation,
        convert=converter(param),
    )
    typers = build_runtime_param(param.type_descriptor)
    assert not isinstance(typers, PlainRuntimeParam)
    annotation = param.type_descriptor.annotation
    for value in _values(annotation):
        ours = _outcome(plain, value, param, ctx)
        if (annotation, value) in DELIBERATE:
            assert ours == ("refused", None), (name, value)
            continue
        assert ours == _outcome(typers, value, param, ctx), (name, value)
    for annotation_, value in DELIBERATE:
        if annotation_ is annotation:
            assert _outcome(plain, value, param, ctx) == ("refused", None), (name, value)


def test_install_fills_only_typer_parameters_once() -> None:
    command = typer.main.get_command(app).commands["rank"]  # type: ignore[attr-defined]
    ctx = command.make_context("rank", [str(SAMPLES_DIR / "2019-05.xlsx")])
    params = command.get_params(ctx)
    runtimes = [getattr(p, "_runtime_param", None) for p in params]
    assert all(
        isinstance(r, PlainRuntimeParam)
        for r, p in zip(runtimes, params, strict=True)
        if hasattr(p, "type_descriptor")
    )
    install(params)  # a second call keeps what is there
    assert [getattr(p, "_runtime_param", None) for p in params] == runtimes


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (
            ["notice", "--inbox", "x", "--settle", "-1"],
            "错误：--settle：应为数字（不小于 0），实际为 '-1'",
        ),
        (
            ["notice", "--inbox", "x", "--settle", "nan"],
            "错误：--settle：应为数字（不小于 0），实际为 'nan'",
        ),
        (["robust", "x.xlsx", "--spread", "二成"], "错误：--spread：应为数字，实际为 '二成'"),
        (["robust", "x.xlsx", "--seed", "1.5"], "错误：--seed：应为整数，实际为 '1.5'"),
        (
            ["assess", "x.xlsx", "--year", "２０１９"],
            "错误：--year：应为整数（1990–2100），实际为 '２０１９'",
        ),
    ],
)
def test_refused_numbers_say_what_was_expected(
    args: list[str], first: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # were a value taken, the run would write nothing here either
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == first
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_ranking_does_not_import_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ipscore.cli import main\n"
        f"sys.argv = ['ipscore', 'rank', {str(SAMPLES_DIR / '2019-05.xlsx')!r}, '-f', 'json',"
        f" '--db', {str(tmp_path / 'h.db')!r}, '--month', '2019-05']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(','.join(m for m in ('pydantic', 'urllib.request') if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"高新区"' in done.stdout or "高新区" in done.stdout
    assert done.stderr.strip() == ""
