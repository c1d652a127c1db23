"""Reading folders and writing files without silent loss.

`Path.glob` reads an unreadable or missing folder as an empty one, which would let `kg build`
write an empty graph over a good one; `listing` says what went wrong instead. `replacing`
and `replace_files` write beside the target and rename over it only when everything is
written, so a failure halfway leaves what was there before.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> replace_files({folder / "a.yaml": "a: 1\\n", folder / "b.yaml": "b: 2\\n"})
>>> [p.name for p in listing(folder, ".yaml")]
['a.yaml', 'b.yaml']
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from kg.errors import InputError, KgError

__all__ = ["descriptor", "exclusive", "listing", "replace_files", "replacing", "umask"]


def listing(
    directory: Path, suffix: str, *, error: type[KgError] = InputError, what: str = "folder"
) -> list[Path]:
    """The files in `directory` whose names end in `suffix`, sorted; hidden files skipped.

    Raises `error` (naming the folder) when it is missing or cannot be read."""
    try:
        with os.scandir(directory) as entries:
            found = [
                e
                for e in entries
                if e.name.lower().endswith(suffix.lower()) and not e.name.startswith(".")
            ]
        names = []
        for entry in sorted(found, key=lambda e: e.name):
            if not entry.name.endswith(suffix):  # read as missing, its content would vanish
                raise error(f"name it *{suffix} (lower case) to have it read", path=entry.path)
            if not entry.is_file():
                if entry.is_dir():
                    continue
                raise error("not a readable file (a broken link?)", path=entry.path)
            names.append(entry.name)
    except FileNotFoundError:
        raise error(f"{what} not found", path=directory) from None
    except NotADirectoryError:
        raise error(f"is a file, not a {what}", path=directory) from None
    except OSError as exc:
        raise error(f"cannot read this {what}: {exc.strerror}", path=directory) from None
    return [directory / name for name in names]


def umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The permissions a file written at `path` should get: those of the file it replaces,
    or what `open()` would give a new one (0666 less the umask), not mkstemp's 0600."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~umask()


_DESCRIPTOR = re.compile(
    r"/dev/(stdout|stderr)|(?:/dev/fd|/proc/(?:self|thread-self|\d+)/fd)/(\d+)"
)

# The descriptors open when the command started (the shell's): a higher /dev/fd/N is one kg
# opened itself, such as a file of the store, and must not be written into.
INHERITED: frozenset[int] | None = None


def note_inherited() -> None:
    """Record the open descriptors, before a command opens any (`kg.cli` calls it)."""
    global INHERITED
    with contextlib.suppress(OSError, ValueError):  # no /proc: only the access check then
        INHERITED = frozenset(int(n) for n in os.listdir("/proc/self/fd"))


def descriptor(path: str) -> int | None:
    """The descriptor `path` names (``/dev/stdout``, ``/dev/fd/3``, a link to one, spelled
    with ``//`` or ``..``), or None for any other path."""
    for _ in range(40):  # as many links as the kernel follows
        path = re.sub(r"^/+", "/", os.path.normpath(path))
        if m := _DESCRIPTOR.fullmatch(path):
            if path.startswith("/proc/") and path.split("/")[2] not in (
                "self", "thread-self", str(os.getpid())
            ):  # fmt: skip
                return None  # another process's descriptor: a path like any other
            return {"stdout": 1, "stderr": 2}.get(m.group(1)) or int(m.group(2))
        if not os.path.islink(path):
            return None
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return None


STALE_AFTER = 24 * 3600  # seconds: far longer than any write, so one under way is never touched


def _remove_stale_siblings(path: Path) -> None:
    """Remove what a writer of `path` killed outright (SIGKILL, power loss) left beside it:
    mkstemp's ``.<name>.XXXXXXXX``, a day old, which nothing else would ever remove."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}")
    cutoff = time.time() - STALE_AFTER
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)


# Files `replacing` is writing: a process that must end at once (kg query --timeout, Ctrl-C)
# removes them rather than leave them beside their targets.
UNFINISHED: set[str] = set()


def remove_unfinished() -> None:
    for tmp in list(UNFINISHED):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def replacing(path: Path, *, error: type[KgError] = InputError) -> Iterator[IO[bytes]]:
    """A binary file that replaces `path` when the block ends without an exception.

    A symlink is followed (its target is replaced, the link kept); a FIFO or device is written
    directly, since there is nothing to rename over. ``/dev/stdout``, ``/dev/stderr`` and
    ``/dev/fd/N`` are the open descriptor itself: opened by name they would truncate a file
    the shell appends to (``>> log``), and renaming over their target would replace it."""
    if (fd := descriptor(str(path))) is not None:
        if INHERITED is not None and fd not in INHERITED:
            raise error(f"descriptor {fd} was not open when kg started", path=path)
        try:
            if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
                raise error(f"descriptor {fd} is open for reading, not writing", path=path)
            out = os.fdopen(os.dup(fd), "wb")
        except OSError as exc:
            raise error(f"cannot write here: {exc.strerror}", path=path) from None
        if sys.stdout is not None:
            sys.stdout.flush()
        with out:
            yield out
        return
    path = Path(os.path.realpath(path))
    _remove_stale_siblings(path)
    try:
        if path.exists() and not path.is_file():
            if path.is_dir():
                raise error("is a folder: give a file name", path=path)
            with path.open("wb") as out:
                yield out
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise error(f"cannot write here: {exc.strerror}", path=path) from None
    UNFINISHED.add(tmp)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error(f"cannot write: {exc.strerror}", path=path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        UNFINISHED.discard(tmp)


def replace_files(contents: Mapping[Path, str], *, error: type[KgError] = InputError) -> None:
    """Write several text files so that none changes unless all of them could be written.

    Every file is first written in full beside its target; only then are they renamed into
    place, which cannot fail halfway for lack of space or permission on one of them."""
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    renamed: int | None = None
    try:
        for current, text in contents.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{current.name}.", dir=current.parent)
            staged.append((tmp, current))
            os.fchmod(fd, _mode_for(current))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        renamed = 0
        for tmp, current in staged:
            os.replace(tmp, current)
            renamed += 1
    except OSError as exc:
        done = "" if renamed is None else f" ({renamed} of {len(staged)} files were replaced)"
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        message = f"cannot write: {exc.strerror or exc}{done or '; nothing was changed'}"
        raise error(message, path=current) from None


@contextlib.contextmanager
def exclusive(folders: Iterable[Path], busy: str) -> Iterator[None]:
    """Hold a lock on each of `folders` (made if missing) for the block; raise `InputError`
    with `busy` at once if another holder has one.

    Two `kg build` runs at once each wrote their own files into `data/graph`, and a
    mixture could be committed; a `kg ingest --store` during a build wrote into the store
    the build then replaced. Both take this lock on the folders they replace things in.
    The lock is `flock` on the folder itself, so it leaves no file behind and ends with the
    process however it ends. Where the file system has no such locks, there is none.
    """
    held: list[int] = []
    try:
        for folder in sorted({f.resolve() for f in folders}):
            # made first, so that two builds into a new folder lock the same one
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            held.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(busy, path=folder) from None
            except OSError:
                pass  # no locks here (some network file systems): go on without
        yield
    finally:
        for fd in held:
            os.close(fd)  # and with it the lock
