"""Configuration: embedded defaults, then ``<instance>/config.toml``, then the caller's mapping.

Every key of ``config.toml`` maps to ``KEPU_<KEY>`` (``threads = 8`` → ``KEPU_THREADS``);
keys already upper-case (Flask's own, e.g. ``MAX_CONTENT_LENGTH``) are taken as they are.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from kepu_server.errors import KepuError, toml_error


def instance_path(config: dict | None = None) -> Path:
    value = (config or {}).get("KEPU_INSTANCE") or os.environ.get("KEPU_INSTANCE") or "instance"
    return Path(value).resolve()


def defaults(instance: Path) -> dict:
    content = os.environ.get("KEPU_CONTENT") or "content"
    return {
        "KEPU_INSTANCE": str(instance),
        "KEPU_DATABASE": str(instance / "kepu.db"),
        "KEPU_CONTENT": str(Path(content).resolve()),
        "KEPU_HOST": "0.0.0.0",
        "KEPU_PORT": 8000,
        "KEPU_THREADS": 8,
        "KEPU_RELOAD_INTERVAL": 1.0,
        "KEPU_LOAD_ENTRY_POINTS": True,
        "KEPU_EXTRA_PLUGINS": (),
        "KEPU_MAX_JSON_BYTES": 64 * 1024,
        "KEPU_MAX_PARTICIPANTS": 300,  # seats in one class session
        "KEPU_RETENTION_DAYS": 365,
        # A class nobody ended is ended this many hours after it started (0: never).
        "KEPU_AUTO_END_HOURS": 12,
        "KEPU_PUBLIC_URL": None,  # e.g. "http://192.168.1.20:8000" when behind NAT or a proxy
        "KEPU_PUBLIC_CACHE": True,  # public answers replayed in front of Flask (public_cache.py)
        "KEPU_PARSE_CACHE": True,  # parsed course files kept in <instance>/parse-cache.jsonl
        "KEPU_SEAT_LANE": True,  # the tablet's unchanged poll answered in front of Flask
        "KEPU_ANSWER_LANE": True,  # a tablet's common answer saved in front of Flask
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # content-pack uploads; JSON bodies are 64 KB
        # What one installed pack, plugin or wheel may hold, unpacked (see docs/writing_plugins.md).
        "KEPU_PACK_MAX_FILES": 2000,
        "KEPU_PACK_MAX_BYTES": 100 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "kepu_session",
        "BABEL_DEFAULT_LOCALE": "zh",
        # One gettext domain per area, so each area keeps its own catalog (see docs/i18n.md).
        "BABEL_DOMAIN": "core;teach;student;admin;author;classroom",
        # flask-babel pairs the n-th domain with the n-th directory: one entry per domain.
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(["translations"] * 6),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "JSON_SORT_KEYS": False,
    }


def read_instance_config(instance: Path) -> dict:
    file = instance / "config.toml"
    if not file.exists():
        return {}
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KepuError(str(toml_error(exc, file))) from None
    return {(k if k.isupper() else f"KEPU_{k.upper()}"): v for k, v in raw.items()}


def secret_key(instance: Path) -> str:
    """A per-install random key, kept in the instance folder (never a default)."""
    file = instance / "secret_key"
    if file.exists():
        return file.read_text().strip()
    key = secrets.token_hex(32)
    # Created 0600 from the start: there is no moment when other users could read it.
    with os.fdopen(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(key)
    return key
