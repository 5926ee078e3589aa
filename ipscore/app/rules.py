"""``ipscore rules export DIR``: the bundled rule files copied out, to read, edit and pass back
with ``--rules``. Each file is written atomically and never through a symbolic link; a file
already in DIR is kept unless ``force``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.files import ensure_folder, write_bytes_atomic
from ipscore.base.problems import Problem, RulesError
from ipscore.rules.source import builtin_rules


@dataclass
class Exported:
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there, left alone


def export_rules(folder: Path, *, force: bool = False) -> Exported:
    """Copy every bundled rule file into ``folder`` (created when missing)."""
    ensure_folder(folder)
    done = Exported()
    for source in builtin_rules():
        target = folder / source.name
        if target.exists() and not force:
            done.kept.append(target)
            continue
        write_bytes_atomic(target, source.read_bytes())
        done.written.append(target)
    return done


def check_rule_file(path: Path) -> tuple[str, list[Problem]]:
    """What kind of rule file ``path`` is (as a reader would take it) and every problem its
    reader finds: a scheme, the unit list, the circular's settings, the attribution rules or
    a year's targets. The kind is told by the file's own top-level tables."""
    from ipscore.rules.parse import check_scheme_file
    from ipscore.rules.source import read_toml

    try:
        data = read_toml(path)
    except RulesError as exc:
        return "规则文件", exc.problems
    if "scheme" in data or "indicators" in data:
        return "评分方案", check_scheme_file(path)
    try:
        if "notice" in data or "monthly" in data or "annual" in data:
            from ipscore.rules.notice import load_notice_rules

            load_notice_rules(path)
            return "通报设置", []
        if "columns" in data or "patent_types" in data or "units_file" in data:
            from ipscore.tally.attribution import load_attribution

            load_attribution(path)
            return "归属规则", []
        if "targets" in data:
            from ipscore.rules.targets import load_targets

            year = data.get("year")
            load_targets(path, year if isinstance(year, int) else 0)
            return "年度目标", []
        if "units" in data or "city" in data:
            from ipscore.rules.source import RuleChecker
            from ipscore.rules.units import load_units

            checker = RuleChecker(path)
            load_units(path, checker)
            return "单位表", checker.problems
    except RulesError as exc:
        return "规则文件", exc.problems
    return "评分方案", check_scheme_file(path)
