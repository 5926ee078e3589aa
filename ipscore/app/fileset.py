"""A circular's file set in an output folder: staged, recorded, renamed; restored, withdrawn.

The mechanics every publication shares (the monthly circular in :mod:`ipscore.app.notice`, the
cron run in :mod:`ipscore.app.inbox`, the annual circular in :mod:`ipscore.app.annual_notice`):
every file is written to a temporary beside its target, the caller's ``record_all`` (the store
transaction) runs, and only then are the files renamed into place — so a circular is never out
without its history entry. What the store records as published in a folder is the truth; the
files are its rendering, written again from the store when missing (:func:`restore_missing`).
The caller holds the output folder's lock (:func:`ipscore.base.lock.folder_lock`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ipscore.base.files import Staged, ensure_folder, remove_stale_temps, stage_bytes
from ipscore.base.period import Period
from ipscore.base.problems import InputError, Problem
from ipscore.store.history import Store

_CIRCULAR_NAME = re.compile(r"\d{4}(-\d{2})? .+\.(docx|xlsx|md|pdf|png)", re.DOTALL)


def is_circular_name(name: str) -> bool:
    """Whether ``name`` is one ipscore gives a circular (``2019-05 发明专利申请情况通报.docx``)."""
    return _CIRCULAR_NAME.fullmatch(name) is not None


def _touchable(name: str) -> bool:
    """Whether a name the store records may be written or removed in the folder: a circular's
    name and nothing else (no path: a store from elsewhere must not reach outside ``out``)."""
    return Path(name).name == name and is_circular_name(name)


def remove_stale_circular_temps(out: Path) -> list[Path]:
    """Remove temporaries of circulars left in ``out`` by runs that died."""
    return remove_stale_temps(out, is_circular_name)


def folder_key(out: Path) -> str:
    """How the store names an output folder: its absolute path, links resolved."""
    return os.path.realpath(out)


def earlier_files(
    store: Store, out: Path, period: Period, contents: dict[str, bytes]
) -> dict[Path, str]:
    """The files published of ``period`` in ``out`` under names the new set lacks, with the
    hash of what was published under each."""
    month = str(period)
    return {
        out / name: published.sha256
        for name, published in sorted(store.published(folder_key(out)).items())
        if published.month == month and name not in contents and _touchable(name)
    }


def refuse_existing(paths: Iterable[Path], allowed: bool) -> None:
    """An error naming every existing file, unless replacing or keeping them is ``allowed``."""
    existing = [p for p in paths if p.exists()]
    if existing and not allowed:
        raise InputError(
            [
                Problem(
                    "notice-exists",
                    "通报文件已存在，未覆盖（确需重新生成请加 --force）",
                    file=str(p),
                )
                for p in existing
            ]
        )


def publish_files(files: dict[Path, bytes], record_all: Callable[[], None]) -> list[Path]:
    """Stage every file, call ``record_all`` (the store transaction), then rename them all into
    place; if staging or recording fails, nothing is renamed and no temporary is left."""
    staged: list[Staged] = []
    try:
        for target, data in files.items():
            ensure_folder(target.parent)
            staged.append(stage_bytes(target, data))
        for item in staged:  # a folder swapped for a link meanwhile: refused before recording
            item.confirm()
        record_all()
    except BaseException:
        for item in staged:
            item.discard()
        raise
    commit_all(staged)
    return [item.target for item in staged]


def restore_missing(store: Store, out: Path) -> list[Path]:
    """Write again, from the store, every file recorded as published in ``out`` that is not
    there (a run killed before its renames); a name taken by anything else is left alone.
    The caller holds ``out``'s lock."""
    folder = folder_key(out)
    restored: list[Path] = []
    for name in sorted(store.published(folder)):
        target = out / name
        if not _touchable(name) or os.path.lexists(target):
            continue
        data = store.published_content(folder, name)
        if data is None:  # pragma: no cover - removed since listed, under our lock: cannot be
            continue
        stage_bytes(target, data).commit()
        restored.append(target)
    return restored


def commit_all(staged: Sequence[Staged]) -> None:
    """Rename every staged file into place; after a failure the rest are discarded.

    A rename fails only when something was planted at the name since it was staged (refused,
    never followed) or the disk fails: the set stays recorded, and the next cron run writes
    the missing files once their names are free (:func:`restore_missing`)."""
    for number, item in enumerate(staged):
        try:
            item.commit()
        except BaseException:
            for rest in staged[number + 1 :]:
                rest.discard()
            raise
