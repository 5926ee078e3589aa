"""``ipscore init DIR``: a working folder with its rules, inbox, circular folder and history store.

Without ``--city``/``--province`` the rules are copies of the bundled 淄博 worked example; with
one of them, ``units.toml``, ``attribution.toml``, ``notice.toml`` and a targets template are
generated from the national division list (:mod:`ipscore.rules.generate`). Everything is built
in a hidden folder beside DIR and every rule file is loaded and checked there; only then does the
folder become DIR (one rename), or, when DIR is an empty folder already (perhaps the one the
user stands in), its entries are moved into DIR. An existing non-empty DIR is refused unless
``force``; then the rule files (checked first in a private folder) and README.txt are replaced
one by one (each atomically) and the inbox, the circulars and the history store are kept.

Refused, exit status 2, one sentence naming DIR: a parent that is missing or not a folder, DIR
that is a file, a non-empty DIR without ``force``, a DIR that cannot be made there. Symbolic
links are never followed: DIR, the folders leading to it (as for every output folder, see
:mod:`ipscore.base.folders`) and any path inside it that is a link are refused. Files are made
by name in folders held open, and the new history store is made in a private temporary folder
and copied in (SQLite opens files by path).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ipscore.base.files import ensure_folder, write_bytes_atomic
from ipscore.base.folders import Folder, link_refused, open_folder
from ipscore.base.oserrors import os_reason
from ipscore.base.problems import InputError, Problem
from ipscore.base.text import printable_path
from ipscore.rules.source import rules_dir

if TYPE_CHECKING:
    from ipscore.rules.generate import Plan

INBOX = "收件箱"
OUTBOX = "通报"
RULES = "rules"
STORE = "ipscore.db"
BUILTIN = (
    "monthly-2019.toml",
    "annual-2019.toml",
    "notice.toml",
    "units.toml",
    "attribution.toml",
    "targets-2019.toml",
)


@dataclass
class InitResult:
    folder: Path
    written: list[str]
    notes: list[str] = field(default_factory=list)
    units: tuple[str, ...] = ()
    place: str = "淄博市（内置示例）"
    unit_word: str = "区县"  # what the units file calls a unit (市 for a province)

    @property
    def cron(self) -> str:
        return (
            f"5 8 5 * * cd {_shell_quote(str(self.folder))} && ipscore notice --inbox {INBOX} "
            f"--out {OUTBOX} --rules {RULES}/monthly-2019.toml "
            f"--notice-rules {RULES}/notice.toml >> cron.err 2>&1"
        )

    @property
    def schtasks(self) -> str:
        inner = (
            f'cd /d \\"{self.folder}\\" && ipscore notice --inbox {INBOX} --out {OUTBOX} '
            f"--rules {RULES}\\monthly-2019.toml --notice-rules {RULES}\\notice.toml "
            ">> cron.err 2>&1"
        )
        return (
            'schtasks /Create /TN "ipscore 月度通报" /SC MONTHLY /D 5 /ST 08:05 '
            f'/TR "cmd /c {inner}"'
        )


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _refuse(folder: Path, message: str) -> InputError:
    return InputError([Problem("init-refused", message, file=str(folder))])


def _open_parent(folder: Path) -> Folder:
    """DIR's parent, held open (reached by the output-folder policy); refused when missing."""
    parent = folder.parent
    if not parent.is_dir():
        if os.path.lexists(parent):
            raise _refuse(folder, f"上级路径不是目录：{printable_path(parent)}；请换一个位置")
        raise _refuse(folder, f"上级目录不存在：{printable_path(parent)}；请先建立它，或换一个位置")
    return open_folder(parent, child=folder.name)


def _state(parent: Folder, folder: Path, force: bool) -> str:
    """``missing``, ``empty`` or (``force`` given) ``occupied``: what DIR is now; refused when
    it is a link, not a folder, or holds something and not ``force``."""
    if not folder.name:
        raise _refuse(folder, "是根目录；请给出要建立的工作目录")
    try:
        info = os.stat(folder.name, dir_fd=parent.fd, follow_symlinks=False)
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(info.st_mode):
        raise link_refused(folder, folder, os.readlink(folder.name, dir_fd=parent.fd))
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(folder, "已存在且不是目录；请换一个名字，或先把它移走")
    if not os.listdir(folder):
        return "empty"
    if not force:
        raise _refuse(folder, "目录不是空的；要在其中重新生成规则文件与 README.txt 请加 --force")
    for name in (RULES, INBOX, OUTBOX, STORE, "README.txt"):
        if (folder / name).is_symlink():
            raise _refuse(folder / name, "是符号链接；ipscore init 不跟随符号链接")
    rules = folder / RULES
    if rules.is_dir():
        for child in rules.iterdir():
            if child.is_symlink():
                raise _refuse(child, "是符号链接；ipscore init 不跟随符号链接")
    return "occupied"


def init_folder(
    folder: Path | str,
    *,
    city: str | None = None,
    province: str | None = None,
    year: int | None = None,
    force: bool = False,
) -> InitResult:
    """Set up a working folder (see the module text); InputError on a bad DIR or place name,
    OutputError when DIR or a folder on its way is a link (:mod:`ipscore.base.folders`)."""
    folder = Path(os.path.abspath(folder))
    year = year or dt.date.today().year
    files, result = _rule_files(folder, city, province, year)
    with _open_parent(folder) as parent:
        state = _state(parent, folder, force)
        if state == "occupied":
            _merge_into(folder, files, result, year)
        else:
            _build(parent, folder, files, result, year, into_empty=state == "empty")
    return result


def _build(
    parent: Folder,
    folder: Path,
    files: dict[str, str],
    result: InitResult,
    year: int,
    *,
    into_empty: bool,
) -> None:
    """Build the whole folder hidden beside DIR and check its rules; then rename it to DIR, or
    move its entries into DIR when DIR is an empty folder already (someone may stand in it)."""
    name = f".{folder.name}.init-{secrets.token_hex(4)}"
    try:
        os.mkdir(name, 0o755, dir_fd=parent.fd)  # as a folder made by mkdir: the umask applies
    except OSError as exc:
        where = printable_path(parent.path)
        raise _refuse(
            folder, f"无法在 {where} 中建立目录（{os_reason(exc)}）；请换一个位置"
        ) from None
    staging = parent.path / name
    try:
        with open_folder(staging) as built:
            _write_rules(staging, files, result, year)
            _check_rules(staging / RULES, files)
            for sub in (INBOX, OUTBOX):
                os.mkdir(sub, 0o777, dir_fd=built.fd)
            write_bytes_atomic(staging / STORE, _store_bytes())
            parent.confirm()
            if into_empty:
                with open_folder(folder) as target:
                    for entry in sorted(os.listdir(staging)):
                        if os.path.lexists(folder / entry):
                            raise _refuse(folder, "建立过程中目录里出现了其他文件；请检查后重试")
                        os.rename(entry, entry, src_dir_fd=built.fd, dst_dir_fd=target.fd)
            else:
                os.rename(name, folder.name, src_dir_fd=parent.fd, dst_dir_fd=parent.fd)
        result.written = [f"{RULES}/{n}" for n in files] + [
            "README.txt",
            f"{INBOX}/",
            f"{OUTBOX}/",
            STORE,
        ]
    finally:
        if os.path.lexists(staging):
            shutil.rmtree(staging, ignore_errors=True)  # never follows a link (see its docs)


def _write_rules(folder: Path, files: dict[str, str], result: InitResult, year: int) -> list[str]:
    """The rule files and README.txt, each written atomically into ``folder``."""
    ensure_folder(folder / RULES)
    written = []
    for name, text in files.items():
        write_bytes_atomic(folder / RULES / name, text.encode("utf-8"))
        written.append(f"{RULES}/{name}")
    write_bytes_atomic(folder / "README.txt", _readme(result, year).encode("utf-8"))
    written.append("README.txt")
    return written


def _merge_into(folder: Path, files: dict[str, str], result: InitResult, year: int) -> None:
    """``--force`` on a folder in use: rules and README replaced (each atomically, checked
    first in a private folder), inbox, circulars and history kept."""
    with tempfile.TemporaryDirectory(prefix="ipscore-init-") as private:
        _write_rules(Path(private), files, result, year)
        _check_rules(Path(private) / RULES, files)
    for sub in (INBOX, OUTBOX):
        ensure_folder(folder / sub)
    written = _write_rules(folder, files, result, year)
    if not (folder / STORE).exists():
        write_bytes_atomic(folder / STORE, _store_bytes())
        written.append(STORE)
    else:
        result.notes.append(f"保留已有的历史库 {STORE} 以及 {INBOX}/、{OUTBOX}/ 中的文件")
    result.written = written


def _store_bytes() -> bytes:
    """A new, empty history store, made in a private temporary folder (SQLite opens files by
    path, so it never makes one in a folder others can change) and handed over as bytes."""
    from ipscore.store.history import Store

    with tempfile.TemporaryDirectory(prefix="ipscore-init-") as private:
        path = Path(private) / STORE
        with Store(path):
            pass
        return path.read_bytes()


def _rule_files(
    folder: Path, city: str | None, province: str | None, year: int
) -> tuple[dict[str, str], InitResult]:
    builtin = rules_dir()
    files = {name: (builtin / name).read_text(encoding="utf-8") for name in BUILTIN}
    result = InitResult(folder, [])
    if city is None and province is None:
        result.units = _unit_names(builtin / "units.toml")
        return files, result
    if city is not None and province is not None:
        raise InputError(
            [Problem("init-options", "--city 与 --province 只能给一个", field="--city")]
        )
    from ipscore.rules.divisions import find_city, find_province, load_divisions
    from ipscore.rules.generate import (
        attribution_toml,
        plan_city,
        plan_province,
        targets_toml,
        units_toml,
    )

    divisions = load_divisions()
    if city is not None:
        plan = plan_city(divisions, find_city(city, divisions))
    else:
        assert province is not None
        plan = plan_province(divisions, find_province(province, divisions))
    del files["targets-2019.toml"]
    files["units.toml"] = units_toml(plan)
    files["attribution.toml"] = attribution_toml(plan)
    files[f"targets-{year}.toml"] = targets_toml(plan, year)
    files["notice.toml"] = _notice(files["notice.toml"], plan)
    for name in ("monthly-2019.toml", "annual-2019.toml"):
        files[name] = _scheme(files[name], plan)
    result.units = tuple(u.name for u in plan.units)
    result.place = plan.place.name
    result.unit_word = plan.unit_word
    result.notes.append(
        "功能区（高新区、经济开发区等）不是 GB/T 2260 行政区划，没有列入；"
        "需要单独排名的，按 rules/units.toml 末尾的说明加入"
        + (f"（其中列出了统计用区划代码中的 {len(plan.zones)} 个功能区）" if plan.zones else "")
    )
    if plan.dropped:
        result.notes.append(
            f"{len(plan.dropped)} 个地名同属两个地方（如 {plan.dropped[0]}），不作归属依据"
        )
    return files, result


def _notice(text: str, plan: Plan) -> str:
    """The bundled notice.toml with the place's name, its addressees and, where they are not
    a city's 区县/全市, the units file's words; a province's own offices are 省 (自治区)
    ones: 省知识产权局, 省科技厅."""
    name = plan.place.name
    text = text.replace("XX市知识产权局", f"{name}知识产权局")
    text = text.replace("《XX市“十个率先突破”", f"《{name}")
    each = f"各{plan.unit_word}"
    if plan.level == "province":
        addressees = f"{each}知识产权局："
    else:  # a city's counties have their own offices; a city's towns (东莞) are written to
        addressees = "各区县（市）知识产权局：" if plan.unit_word == "区县" else f"{each}："
    text = text.replace("各区县知识产权局，高新区、经济开发区、文昌湖区有关部门：", addressees)
    if plan.level == "province":
        own = "自治区" if name.endswith("自治区") else "省"
        text = text.replace("年度区县工作考核方案", f"年度{each}工作考核方案")
        text = text.replace("，市知识产权局对", f"，{own}知识产权局对")
        text = text.replace("向市知识产权局", f"向{own}知识产权局")
        text = text.replace("市科技局，市市场监管局。", f"{own}科技厅，{own}市场监管局。")
    text = text.replace("各区县", each).replace("区县", plan.unit_word)
    return text.replace("全市", plan.whole_word)


def _scheme(text: str, plan: Plan) -> str:
    """A bundled scheme whose unit column and (annual) name say the units' word: a province's
    年度市知识产权工作考核 with a 市 column. Labels and the name only: what scores is unchanged."""
    unit = plan.unit_word
    text = text.replace('[fields.county]\nlabel = "区县"', f'[fields.county]\nlabel = "{unit}"')
    return text.replace("年区县知识产权工作考核", f"年{unit}知识产权工作考核")


def _unit_names(path: Path) -> tuple[str, ...]:
    from ipscore.rules.source import RuleChecker
    from ipscore.rules.units import load_units

    units = load_units(path, RuleChecker(path))
    return units.names if units is not None else ()


def _check_rules(rules: Path, files: dict[str, str]) -> None:
    """Load every rule file written, as the commands will: a bug here must not leave a folder."""
    from ipscore.rules.notice import load_notice_rules
    from ipscore.rules.resolve import load_scheme
    from ipscore.rules.targets import load_targets
    from ipscore.tally.attribution import load_attribution

    load_scheme(rules / "monthly-2019.toml")
    load_scheme(rules / "annual-2019.toml")
    load_notice_rules(rules / "notice.toml")
    attribution = load_attribution(rules / "attribution.toml")
    for name in files:
        if name.startswith("targets-"):
            file_year = int(name.removeprefix("targets-").removesuffix(".toml"))
            load_targets(rules / name, file_year, attribution.unit_list, allow_blank=True)


def _readme(result: InitResult, year: int) -> str:
    units = "、".join(result.units)
    month = f"{year}-05"
    return f"""ipscore 工作目录：{result.place}
============================================

本目录由 ipscore init 生成。参加排名的单位（{len(result.units)} 个）：
{units}

目录内容
--------
rules/            规则文件（TOML，可直接修改，改后运行 ipscore rules check rules/monthly-2019.toml）
  units.toml        参加排名的单位及其别名
  attribution.toml  专利申请明细按申请人地址归属到单位的规则（ipscore tally 使用）
  targets-{year}.toml 年度目标（件）；未填时统计表的“年度目标”列留空
  monthly-2019.toml 月度排名方案；annual-2019.toml 年度考核方案；notice.toml 通报文字
收件箱/           每月的统计表（如 {month}.xlsx）或专利申请明细放在这里
通报/             生成的月度通报（docx、xlsx、md）与运行日志
ipscore.db        历史库（各月排名，用于位次变化和走势）

每月的步骤（在本目录中运行）
----------------------------
1. 由专利申请明细统计（没有明细、由各{result.unit_word}报送的，跳过这一步）：
   ipscore tally 收件箱/申请明细.xlsx --month {month} -o 收件箱/{month}.xlsx
   （在本目录中运行时自动使用 rules/attribution.toml 和 rules/targets-{year}.toml）
2. 排名：
   ipscore rank 收件箱/{month}.xlsx --rules rules/monthly-2019.toml
3. 生成通报：
   ipscore notice 收件箱/{month}.xlsx --out 通报 --rules rules/monthly-2019.toml \\
       --notice-rules rules/notice.toml

数据来源提示：公开的专利数据库在申请日后约 18 个月才公开发明专利申请，当月的申请量只能来自
省知识产权局的专利统计月报或本局的受理数据；公开数据库的导出适合做往年的历史序列。

每月自动生成通报
----------------
Linux/macOS（crontab -e 加入一行，每月 5 日 8:05 运行）：
{result.cron}

Windows（任务计划程序，在命令提示符中运行一次）：
{result.schtasks}
"""
