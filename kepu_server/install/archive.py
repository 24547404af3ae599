"""Copy a zip archive or a folder into a staging folder, refusing anything unsafe.

Everything a school installs passes through here first: a content pack from another school,
a folder plugin on a USB stick, a wheel from a science museum. The rules are the same for all:
no absolute paths, no ``..``, no links, no device files, no names that Windows cannot hold
(``CON``, ``aux.svg``, a name ending in a dot or a space), no more than ``max_files`` files and
``max_bytes`` bytes, and no single file over its own limit: a text file that the server parses
(TOML, Markdown, ...) is held to ``max_text_bytes``, any other file (media) to
``max_file_bytes``, so a tiny archive cannot hand the loader a 40 MB ``course.toml``. Sizes declared in a zip's headers are checked before anything is written
AND the bytes are counted while extracting, because a header can lie. Archives inside the
archive are copied as plain files, never expanded. Nothing keeps the modes of the source:
files are written 0644 and folders 0755, so nothing arrives executable or set-uid.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kepu_server.errors import KepuError

CHUNK = 64 * 1024
# Litter that archive tools and file managers add; never part of a course.
IGNORED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "__pycache__", ".git", ".hg", ".svn"}
# Files the server reads and parses whole: they get the smaller per-file limit.
TEXT_SUFFIXES = {
    ".toml", ".md", ".markdown", ".txt", ".csv", ".json", ".svg", ".html", ".css", ".js",
    ".py", ".po", ".cfg", ".ini", ".yaml", ".yml", ".xml",
}  # fmt: skip
# Names Windows keeps for devices, with any extension ("aux.svg" opens the AUX device there).
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
}
WINDOWS_FORBIDDEN = set('<>"|?*')
MAX_NAME_BYTES = 255  # one path part, as most file systems allow
MAX_PATH_CHARS = 240  # the whole path inside the pack: room for the instance folder on Windows


class UnsafeArchive(KepuError):
    """The archive or folder breaks a safety rule; nothing was extracted."""


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_bytes: int
    max_text_bytes: int = 512 * 1024
    max_file_bytes: int = 8 * 1024 * 1024

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            max_files=int(config.get("KEPU_PACK_MAX_FILES", 2000)),
            max_bytes=int(config.get("KEPU_PACK_MAX_BYTES", 100 * 1024 * 1024)),
            max_text_bytes=int(config.get("KEPU_PACK_MAX_TEXT_BYTES", 512 * 1024)),
            max_file_bytes=int(config.get("KEPU_PACK_MAX_FILE_BYTES", 8 * 1024 * 1024)),
        )

    def for_file(self, path: PurePosixPath) -> tuple[int, str]:
        """The size limit for one file and the setting that sets it."""
        if path.suffix.lower() in TEXT_SUFFIXES:
            return self.max_text_bytes, "KEPU_PACK_MAX_TEXT_BYTES"
        return self.max_file_bytes, "KEPU_PACK_MAX_FILE_BYTES"

    def check_file_size(self, name: str, path: PurePosixPath, size: int, verb="declares") -> None:
        limit, setting = self.for_file(path)
        if size > limit:
            raise UnsafeArchive(
                f"{name!r} {verb} {_mb(size)}; the limit for one such file is {_kb(limit)} "
                f"({setting})"
            )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _kb(size: int) -> str:
    return _mb(size) if size >= 1024 * 1024 else f"{size // 1024} KB"


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path of an archive member, or None for litter; raises when unsafe."""
    if "\x00" in name:
        raise UnsafeArchive(f"{name!r}: a file name with a NUL character")
    _check_characters(name)
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeArchive(f"{name!r}: an absolute path")
    if ":" in unified:
        # On Windows "a.md:x" writes an alternate data stream of a.md, not a file.
        raise UnsafeArchive(f"{name!r}: a file name with ':'")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"{name!r}: a path that climbs out of the folder ('..')")
    if not parts or any(p in IGNORED_PARTS for p in parts):
        return None
    check_portable(name, parts)
    return PurePosixPath(*parts)


def check_portable(name: str, parts: list[str]) -> None:
    """Refuse what a Windows school PC, or any file system, cannot store under that name."""
    if len("/".join(parts)) > MAX_PATH_CHARS:
        raise UnsafeArchive(f"{name[:60]!r}...: a path longer than {MAX_PATH_CHARS} characters")
    for part in parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise UnsafeArchive(
                f"{part[:40]!r}...: a file or folder name longer than {MAX_NAME_BYTES} bytes"
            )
        if part.endswith((".", " ")):
            raise UnsafeArchive(f"{name!r}: a name ending in a dot or a space (Windows drops it)")
        if WINDOWS_FORBIDDEN & set(part):
            raise UnsafeArchive(f'{name!r}: a name with one of < > " | ? * (Windows forbids them)')
        if part.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
            raise UnsafeArchive(f"{name!r}: {part!r} is a device name on Windows")


def _check_characters(name: str) -> None:
    """Refuse control and bidi-formatting characters: they forge what logs and pages show."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise UnsafeArchive(f"{name!r}: a file name with control characters")


def _zip_kind(info: zipfile.ZipInfo) -> str:
    """'file', 'dir' or the name of what else the member is (from its Unix mode)."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "symbolic link"
    if kind in (stat.S_IFCHR, stat.S_IFBLK):
        return "device file"
    if kind == stat.S_IFIFO:
        return "named pipe"
    if kind == stat.S_IFSOCK:
        return "socket"
    if info.is_dir() or kind == stat.S_IFDIR:
        return "dir"
    return "file"  # S_IFREG, or no Unix mode at all (archives made on Windows)


def extract_zip(archive: Path, dest: Path, limits: Limits) -> int:
    """Extract ``archive`` into the empty folder ``dest``; returns the number of files.

    Every member is checked before the first byte is written, so an unsafe archive leaves
    ``dest`` empty.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchive(f"not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_files:
            raise UnsafeArchive(
                f"the archive holds {len(infos)} entries; the limit is {limits.max_files} "
                "(KEPU_PACK_MAX_FILES)"
            )
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        seen: set[str] = set()
        declared = 0
        for info in infos:
            target = safe_member_path(info.filename)
            kind = _zip_kind(info)
            if kind not in ("file", "dir"):
                raise UnsafeArchive(f"{info.filename!r} is a {kind}; only files are allowed")
            if info.flag_bits & 0x1:
                raise UnsafeArchive(f"{info.filename!r} is encrypted")
            if target is None or kind == "dir":
                continue
            key = str(target).casefold()
            if key in seen:
                raise UnsafeArchive(f"{info.filename!r} appears twice in the archive")
            seen.add(key)
            if info.file_size > limits.max_bytes:
                raise UnsafeArchive(
                    f"{info.filename!r} declares {_mb(info.file_size)} uncompressed; the limit "
                    f"is {_mb(limits.max_bytes)} (KEPU_PACK_MAX_BYTES)"
                )
            limits.check_file_size(info.filename, target, info.file_size, "declares")
            declared += info.file_size
            if declared > limits.max_bytes:
                raise UnsafeArchive(
                    f"the archive declares more than {_mb(limits.max_bytes)} uncompressed "
                    "(KEPU_PACK_MAX_BYTES)"
                )
            plan.append((info, target))
        _check_prefix_clashes(seen)
        written = 0
        for info, target in plan:
            out_path = dest.joinpath(*target.parts)
            out_path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            size = 0
            try:
                with zf.open(info) as src, open(out_path, "xb") as out:
                    while chunk := src.read(CHUNK):
                        size += len(chunk)
                        written += len(chunk)
                        # The header said file_size; a member that inflates past it is lying.
                        if size > info.file_size or written > limits.max_bytes:
                            raise UnsafeArchive(
                                f"{info.filename!r} inflates past its declared size "
                                f"(limit {_mb(limits.max_bytes)})"
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                # zipfile stops at the declared size, so a lying header shows up as a bad CRC.
                raise UnsafeArchive(
                    f"{info.filename!r} is damaged or lies about its size ({exc})"
                ) from None
            os.chmod(out_path, 0o644)
    return len(plan)


def _check_prefix_clashes(names: set[str]) -> None:
    """A file 'a' and a file 'a/b' cannot both exist: refuse instead of failing half-way."""
    for name in names:
        parent = PurePosixPath(name).parent
        while str(parent) != ".":
            if str(parent) in names:
                raise UnsafeArchive(f"{str(parent)!r} is both a file and a folder")
            parent = parent.parent


def copy_folder(source: Path, dest: Path, limits: Limits) -> int:
    """Copy the folder ``source`` into the empty folder ``dest`` under the same rules.

    Links are refused rather than followed: a link on a USB stick could point at any file
    of the machine the stick was made on, or of this one.
    """
    plan: list[tuple[Path, PurePosixPath]] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        here = Path(dirpath)
        for name in list(dirnames):
            if (here / name).is_symlink():
                raise UnsafeArchive(f"{_rel(here / name, source)!r} is a symbolic link")
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_PARTS)
        for name in sorted(filenames):
            if name in IGNORED_PARTS or name.endswith(".pyc"):
                continue
            path = here / name
            rel = _rel(path, source)
            _check_characters(rel)
            check_portable(rel, rel.split("/"))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                raise UnsafeArchive(f"{_rel(path, source)!r} is a symbolic link")
            if not stat.S_ISREG(st.st_mode):
                raise UnsafeArchive(f"{_rel(path, source)!r} is not a regular file")
            limits.check_file_size(rel, PurePosixPath(rel), st.st_size, "holds")
            plan.append((path, PurePosixPath(rel)))
            if len(plan) > limits.max_files:
                raise UnsafeArchive(
                    f"the folder holds more than {limits.max_files} files (KEPU_PACK_MAX_FILES)"
                )
            total += st.st_size
            if total > limits.max_bytes:
                raise UnsafeArchive(
                    f"the folder holds more than {_mb(limits.max_bytes)} (KEPU_PACK_MAX_BYTES)"
                )
    written = 0
    for path, target in plan:
        out_path = dest.joinpath(*target.parts)
        out_path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        # Opened without following a link, in case one was swapped in since the walk.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        size = 0
        with os.fdopen(os.open(path, flags), "rb") as src, open(out_path, "xb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                limits.check_file_size(str(target), target, size, "grew to")
                written += len(chunk)
                if written > limits.max_bytes:
                    raise UnsafeArchive(
                        f"the folder holds more than {_mb(limits.max_bytes)} (KEPU_PACK_MAX_BYTES)"
                    )
                out.write(chunk)
        os.chmod(out_path, 0o644)
    return len(plan)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def content_root(stage: Path) -> Path:
    """Where the course or plugin starts: ``stage`` itself, or its only sub-folder.

    People zip a folder as often as they zip its contents; both are accepted.
    """
    markers = ("course.toml", "plugin.toml", "pyproject.toml", "setup.py")
    if any((stage / m).is_file() for m in markers):
        return stage
    entries = [p for p in stage.iterdir() if p.name not in IGNORED_PARTS]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return stage
