"""Messages for outputs that cannot or must not be written: one Chinese sentence each.

Every failure to write is an :class:`~ipscore.base.problems.OutputError` naming the path (made
printable: a file name is data) and saying what to do: :func:`refused` for an output ipscore
will not write (a symlink, a folder, a device in its place), :func:`failed` for an
operating-system error (no permission, disk full, read-only, a folder missing).
"""

from __future__ import annotations

import errno
from pathlib import Path

from ipscore.base.problems import OutputError, Problem
from ipscore.base.text import printable_path


def refused(path: Path, why: str) -> OutputError:
    """An output that must not be written (a symlink, a folder, an input file…)."""
    return OutputError([Problem("output-refused", why)])


def failed(path: Path, exc: OSError) -> OutputError:
    """An operating-system failure while writing ``path``, as one Chinese sentence."""
    return OutputError([Problem("output-failed", describe_os_error(path, exc))])


def describe_os_error(path: Path, exc: OSError) -> str:
    """What went wrong writing ``path`` and what to do, in Chinese."""
    shown = printable_path(path)
    folder = printable_path(path.parent if str(path.parent) else Path("."))
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"输出目录不可写或文件不允许写入：{shown}；请检查权限或换一个目录"
    if code == errno.EROFS:
        return f"输出目录在只读文件系统上：{folder}；请换一个可写的目录"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间不足，未能写入 {shown}（没有留下不完整的文件）；请腾出空间或换一个目录"
    if code in (errno.ENOENT, errno.ENOTDIR):
        if code == errno.ENOENT and path.parent.is_dir():  # e.g. /proc: no new files there
            return f"无法在目录 {folder} 中创建文件：{shown}；请换一个目录"
        return f"输出目录不存在：{folder}；请先创建该目录或换一个路径"
    if code == errno.EISDIR:
        return f"输出路径是一个目录：{shown}；请给出文件名"
    if code == errno.ELOOP:
        return f"输出路径是符号链接，拒绝写入：{shown}；请删除该链接或换一个文件名"
    if code == errno.ENAMETOOLONG:
        return f"输出文件名过长：{shown}；请换一个短些的名字"
    return f"无法写入 {shown}：{os_reason(exc)}；请检查该路径、权限和磁盘空间，或换一个目录"


_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EROFS: "只读文件系统",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "是一个目录",
    errno.ELOOP: "符号链接",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "读写错误（磁盘或网络盘故障）",
    errno.EBUSY: "文件正被占用",
    errno.EMFILE: "打开的文件过多",
    errno.EXDEV: "跨文件系统",
    errno.EEXIST: "已存在同名的文件或目录",
}


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in Chinese when the cause is a common one."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return printable_path(exc.strerror or type(exc).__name__)
