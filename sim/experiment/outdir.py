"""The results folder of a run: checked before simulating, locked, published as a whole.

:class:`ResultsFolder` is used as a context manager around a whole run:

1. entering checks that ``--out`` is (or can be made) a writable folder, before any
   simulating, and takes an exclusive lock (``fcntl.flock`` on the empty file
   ``.NAME.lock`` beside the folder), so a second run into the same folder refuses at once;
2. the run saves its units in :attr:`ResultsFolder.units` as they finish;
3. :meth:`ResultsFolder.publish` gives a fresh sibling folder ``.NAME.new-PID`` to write
   the results set into; on leaving it, every file of the old folder the new set does not
   replace (figures, saved units) is carried over by hard link, and the new folder is
   swapped in with one rename (``renameat2(RENAME_EXCHANGE)``, or two renames where it
   is missing). A reader sees the old set or the new one, never files of two runs, and
   nothing already written is lost.

A failure here is an :class:`~sim.errors.EnvironmentFault` (exit status 3).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from ..errors import EnvironmentFault

__all__ = ["ResultsFolder", "check_out_folder", "inside"]

#: The most entries a results folder may hold (they are carried over at each publish).
MAX_ENTRIES = 100_000
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def inside(folder: Path, path: Path) -> bool:
    """Whether *path*, resolved (symbolic links followed), lies under *folder*."""
    return path.resolve().is_relative_to(folder.resolve())


def check_out_folder(path: Path) -> None:
    """Raise :class:`EnvironmentFault` unless *path* is, or can become, a writable folder
    in a writable folder (creating the folders above it, not *path* itself)."""
    def fault(what: str) -> EnvironmentFault:
        return EnvironmentFault(f"--out {path}: {what}")

    if path.exists() and not path.is_dir():
        raise fault("is a file, not a folder (give a folder for the results)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise fault(f"cannot create the folder ({blocker} is a file)") from None
        raise fault(f"cannot create the folder ({e.strerror})") from None
    for folder in (path.parent, path):
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise fault(f"{folder} is not writable (results need a writable folder and a"
                        " writable folder above it)")


class ResultsFolder:
    """The folder *path* a run writes its results into (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parent = path.parent
        self._lock_file: IO[bytes] | None = None

    @property
    def units(self) -> Path:
        """Where the finished units of a resumable run are saved."""
        return self.path / ".units"

    @property
    def lock_path(self) -> Path:
        """The lock file, beside the folder (the folder itself is swapped)."""
        return self.parent / f".{self.path.name}.lock"

    def _fault(self, what: str) -> EnvironmentFault:
        return EnvironmentFault(f"--out {self.path}: {what}")

    def __enter__(self) -> ResultsFolder:
        check_out_folder(self.path)
        self._lock()
        self._clean_leftovers()
        try:
            self.path.mkdir(exist_ok=True)
            self._check_swappable()
        except OSError as e:
            self.__exit__(None, None, None)
            raise self._fault(f"cannot create the folder ({e.strerror})") from None
        except EnvironmentFault:
            self.__exit__(None, None, None)
            raise
        return self

    def _check_swappable(self) -> None:
        """The folder can be replaced whole: it is not the current folder (or above it),
        and holds at most :data:`MAX_ENTRIES` files, folders and links, none on another
        file system (they are carried over by hard link)."""
        here = Path.cwd().resolve()
        if here.is_relative_to(self.path.resolve()):
            raise self._fault("is the current folder or holds it (the results folder is "
                              "replaced whole at the end; give a folder for the results)")
        device = self.path.stat().st_dev
        for n, entry in enumerate(self.path.rglob("*")):
            info = entry.lstat()
            if n >= MAX_ENTRIES:
                raise self._fault(f"holds more than {MAX_ENTRIES:,} files (give a folder "
                                  "for the results only)")
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)
                    or stat.S_ISLNK(info.st_mode)) or info.st_dev != device:
                raise self._fault(f"holds {entry}, which is not a plain file or folder of "
                                  "its file system (give a folder for the results only)")

    def _lock(self) -> None:
        try:
            f = open(self.lock_path, "ab")  # noqa: SIM115 (held until __exit__)
        except OSError as e:
            raise self._fault(f"cannot create the lock file ({e.strerror})") from None
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            f.close()
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise self._fault("another omnisim run is writing into this folder (it holds"
                                  f" {self.lock_path.name}); wait for it or give another"
                                  " --out") from None
            raise self._fault(f"cannot lock the folder ({e.strerror})") from None
        self._lock_file = f

    def _clean_leftovers(self) -> None:
        """Remove the staging folders of runs that crashed (we hold the lock)."""
        for stale in self.parent.glob(f".{self.path.name}.new-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in self.parent.glob(f".{self.path.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock; the empty file stays (no race)
            self._lock_file = None

    @contextlib.contextmanager
    def publish(self) -> Iterator[Path]:
        """A new empty folder to write the results set into, swapped in on success."""
        stage = self.parent / f".{self.path.name}.new-{os.getpid()}"
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
        except OSError as e:
            raise self._fault(f"cannot create {stage.name} ({e.strerror})") from None
        try:
            yield stage
            for path in stage.rglob("*"):
                if not inside(stage, path):
                    raise self._fault(f"{path} would lie outside the results folder")
            _carry_over(self.path, stage)
            shutil.copymode(self.path, stage)
            _sync_tree(stage)
            self._swap(stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def _swap(self, stage: Path) -> None:
        """Put *stage* in the folder's place in one step; the old folder is removed."""
        old = self.parent / f".{self.path.name}.old-{os.getpid()}"
        if _exchange(stage, self.path):
            shutil.rmtree(stage, ignore_errors=True)  # the old folder, now at stage's name
            return
        os.replace(self.path, old)
        os.replace(stage, self.path)
        shutil.rmtree(old, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> None:
    """Hard-link (or copy) into *new* every file of *old* that *new* does not have."""
    if not old.is_dir():
        return
    folders = []
    for source in old.rglob("*"):
        target = new / source.relative_to(old)
        if source.is_dir() and not source.is_symlink():
            target.mkdir(exist_ok=True)
            folders.append((source, target))
        elif not target.exists() and not target.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(source, target, follow_symlinks=False)
    for source, target in reversed(folders):  # modes last: a read-only folder is filled
        shutil.copystat(source, target)


def _sync_tree(folder: Path) -> None:
    """fsync every file and folder under *folder*, so the swap publishes durable files."""
    for path in [*folder.rglob("*"), folder]:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names *a* and *b* atomically (Linux ``renameat2``); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)
