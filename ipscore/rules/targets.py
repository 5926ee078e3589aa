"""Annual targets (年度目标) per unit, read from a rule file such as ``rules/targets-2019.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipscore.base.problems import Problem, RulesError
from ipscore.rules.source import RuleChecker, default_rule_file, kind_of, read_toml
from ipscore.rules.units import UnitList, units_named


@dataclass(frozen=True)
class Targets:
    """The year's target of every unit, by canonical unit name."""

    year: int
    values: dict[str, int]
    source: Path
    missing: tuple[str, ...] = ()  # units without a target (only when blanks are allowed)

    def warnings(self) -> list[Problem]:
        """One warning naming the units whose 年度目标 is left blank, when there are any."""
        if not self.missing:
            return []
        names = "、".join(self.missing[:8]) + ("等" if len(self.missing) > 8 else "")
        where = "没有年度目标文件" if not self.source.exists() else "年度目标文件中没有"
        return [
            Problem(
                "targets-blank",
                f"{where} {len(self.missing)} 个单位的目标（{names}），统计表的“年度目标”列留空；"
                f"填好 {self.source} 后重新统计，或在统计表中填写",
                level="warning",
                file=str(self.source),
            )
        ]


def default_targets_path(year: int) -> Path:
    return default_rule_file(f"targets-{year}.toml")


def load_targets(
    path: Path | str | None,
    year: int,
    units: UnitList | None = None,
    *,
    allow_blank: bool = False,
    folder: Path | None = None,
) -> Targets:
    """Read and check a targets file (``targets-YEAR.toml`` in ``folder``, by default the
    bundled rules, when ``path`` is None).

    Every unit of the unit list needs a positive whole target; names may be any spelling the unit
    list knows. A file for another year is refused: last year's targets would make every
    completion rate wrong without a word. With ``allow_blank`` (``ipscore tally`` before the
    analyst has filled the template) a unit without a target, or a missing default file, leaves
    the target blank: :meth:`Targets.warnings` says which.
    """
    explicit = path is not None
    if path is not None:
        path = Path(path)
    elif folder is not None:
        path = folder / f"targets-{year}.toml"
    else:
        path = default_targets_path(year)
    if not explicit and not path.exists() and allow_blank and units is not None:
        return Targets(year, {}, path, tuple(units.names))
    if not explicit and not path.exists():
        raise RulesError(
            [
                Problem(
                    "targets-missing",
                    f"没有 {year} 年的年度目标文件；请用 --targets 指定"
                    "（格式见 rules/targets-2019.toml）",
                    file=str(path),
                )
            ]
        )
    data = read_toml(path)
    c = RuleChecker(path)
    c.unknown_keys(data, {"year", "units", "targets"}, "")
    file_year = data.get("year")
    if isinstance(file_year, bool) or not isinstance(file_year, int):
        c.add("year", f"应为整数年份，实际为 {kind_of(file_year)}", "rules-type")
    elif file_year != year:
        c.add("year", f"这是 {file_year} 年的目标，数据月份是 {year} 年", "targets-year")
    if units is None:
        units = units_named(data.get("units", "units.toml"), "units", path, c)
    values: dict[str, int] = {}
    table = c.table(data.get("targets", {}), "targets")
    for key, value in table.items():
        unit = units.resolve(key) if units is not None else key
        if unit is None:
            c.add(f"targets.{key}", "单位表中没有此单位", "rules-unknown")
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            c.add(f"targets.{key}", f"应为正整数（件），实际为 {kind_of(value)}", "rules-type")
            continue
        if unit in values:
            c.add(f"targets.{key}", f"“{unit}”的目标写了两次", "rules-duplicate")
        values[unit] = value
    missing = tuple(n for n in (units.names if units is not None else ()) if n not in values)
    if not allow_blank:
        for name in missing:
            c.add(f"targets.{name}", "缺少此单位的年度目标", "rules-missing-key")
    if c.problems:
        raise RulesError(c.problems)
    return Targets(year, values, path, missing if allow_blank else ())
