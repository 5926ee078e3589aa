"""``ipscore rules export DIR``: the bundled rule files copied out, to read, edit and pass back
with ``--rules``. Each file is written atomically and never through a symbolic link; a file
already in DIR is kept unless ``force``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipscore.base.files import ensure_folder, write_bytes_atomic
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
