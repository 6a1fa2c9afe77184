"""The one place channel types are registered and channel config is checked.

A channel type is one module in this package that sets ``CHANNEL`` to its
class; the class names its type (``type_name``) and declares ``required`` and
``optional`` option names. Every such module is found at import, so adding a
channel touches no other module (and one line of the contract suite,
tests/unit/channels/test_contract.py).

``load_channels`` runs once at worker start. It reads the channels file,
checks each channel's required options, resolves secrets from the environment
or secret files, and builds the channel objects. Any problem raises
:class:`ChannelConfigError` naming the file, the channel and the option, so a
misconfigured worker never starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newsmon.channels.base import Channel
from newsmon.channels.log import LogChannel
from newsmon.channels.webhook import decode_secret
from newsmon.logging_setup import register_secrets
from newsmon.registry import Registry
from newsmon.untrusted import YAMLLimitError, clip, load_yaml, short

# type name -> channel class; filled from the modules of this package.
CHANNEL_TYPES: Registry[Any] = Registry("channel type", lambda cls: cls.type_name)
register_channel_type = CHANNEL_TYPES.register
unregister_channel_type = CHANNEL_TYPES.unregister
CHANNEL_TYPES.load("newsmon.channels", "CHANNEL", skip=("base", "registry"))

# Options that carry credentials: only from the environment or a file, never inline.
SECRET_OPTIONS = frozenset({"url", "secret"})
_NUMERIC = {"timeout_s", "rate_per_s"}


class ChannelConfigError(ValueError):
    pass


def _resolve(source: str, name: str, opts: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in opts.items():
        if key.endswith("_env"):
            base = key[: -len("_env")]
            if not isinstance(value, str) or value not in env or not env[value]:
                raise ChannelConfigError(
                    f"{source}: channel {short(name)}: {clip(key)}: environment variable {short(value)} is not set"
                )
            out[base] = env[value]
            # Options from the environment or a file are credentials (a URL with a token in its path).
            register_secrets([out[base]])
        elif key.endswith("_file"):
            base = key[: -len("_file")]
            try:
                out[base] = Path(str(value)).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ChannelConfigError(
                    f"{source}: channel {short(name)}: {clip(key)}: cannot read {clip(str(value))}: {exc.strerror}"
                ) from None
            register_secrets([out[base]])
        elif key in SECRET_OPTIONS:
            raise ChannelConfigError(
                f"{source}: channel {short(name)}: {clip(key)}: "
                f"credentials must come from {clip(key)}_env or {clip(key)}_file, not inline"
            )
        else:
            out[key] = value
    return out


def build_channel(source: str, spec: Any, env: Mapping[str, str]) -> Channel:
    if not isinstance(spec, dict):
        raise ChannelConfigError(f"{source}: each channel must be a mapping")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise ChannelConfigError(f"{source}: channel without a 'name'")
    ctype = spec.get("type")
    cls = CHANNEL_TYPES.get(ctype) if isinstance(ctype, str) else None
    if cls is None:
        raise ChannelConfigError(
            f"{source}: channel {short(name)}: type: expected one of {sorted(CHANNEL_TYPES)}, got {short(ctype)}"
        )
    opts = _resolve(source, name, {k: v for k, v in spec.items() if k not in ("name", "type")}, env)
    allowed = set(cls.required) | set(cls.optional)
    for key in opts:
        if key not in allowed:
            raise ChannelConfigError(
                f"{source}: channel {short(name)}: {clip(key)}: unknown option for {ctype}; allowed: {sorted(allowed)}"
            )
    for key in cls.required:
        if key not in opts:
            hint = f" (give {clip(key)}_env or {clip(key)}_file)" if key in SECRET_OPTIONS else ""
            raise ChannelConfigError(f"{source}: channel {short(name)}: {clip(key)}: required{hint}")
    for key in _NUMERIC & set(opts):
        if not isinstance(opts[key], int | float) or isinstance(opts[key], bool) or opts[key] <= 0:
            raise ChannelConfigError(f"{source}: channel {short(name)}: {clip(key)}: expected a positive number")
    if "secret" in opts:
        try:
            decode_secret(opts["secret"])
        except ValueError as exc:
            raise ChannelConfigError(f"{source}: channel {short(name)}: secret: {exc}") from None
    if "url" in opts and not str(opts["url"]).startswith(("http://", "https://")):
        raise ChannelConfigError(f"{source}: channel {short(name)}: url: must be an http(s) URL")
    try:
        channel: Channel = cls(name, **opts)
    except (TypeError, ValueError) as exc:
        raise ChannelConfigError(f"{source}: channel {short(name)}: {exc}") from None
    return channel


def load_channels(path: str | Path, env: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """Read the channels file; a missing file means only the built-in ``log`` channel."""
    env = os.environ if env is None else env
    p = Path(path)
    if not p.exists():
        return {"log": LogChannel("log")}
    try:
        doc = load_yaml(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLLimitError) as exc:
        raise ChannelConfigError(f"{p}: cannot read channels: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("channels"), list):
        raise ChannelConfigError(f"{p}: expected a top-level 'channels:' list")
    channels: dict[str, Channel] = {}
    for spec in doc["channels"]:
        ch = build_channel(str(p), spec, env)
        if ch.name in channels:
            raise ChannelConfigError(f"{p}: channel {short(ch.name)}: name: defined twice")
        channels[ch.name] = ch
    channels.setdefault("log", LogChannel("log"))
    return channels
