"""The interface's language: gettext catalogs (compiled with Babel) for English and Simplified Chinese.

Every user-facing string goes through ``_()``; strings defined before a language is known
(binding labels, for example) are marked with ``N_()`` and translated where they are shown.
The language is chosen by ``--lang``, else by the bank being played where a catalog exists,
else by the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.

The catalogs live in ``quiz_app/locale/<lang>/LC_MESSAGES/quiz_app.po``; the ``.mo`` files
beside them are compiled from them (``pybabel compile -d quiz_app/locale -D quiz_app``), and a
test keeps the two in step.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "quiz_app"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DEFAULT = "en"
# The languages shipped, each with its own name (shown in the language picker).
LANGUAGES = {"en": "English", "zh": "中文（简体）"}

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_.@].*)?$")

_active = DEFAULT
_translations: dict[str, gettext.NullTranslations] = {}


def normalise(tag: str | None) -> str | None:
    """The shipped language a tag asks for (``zh_CN.UTF-8``, ``zh-Hans`` and ``zh`` give ``zh``), or None."""
    if not tag:
        return None
    match = _TAG.match(tag.strip())
    if match is None:
        return None
    language = match.group(1).lower()
    return language if language in LANGUAGES else None


def from_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """The shipped language the locale asks for, read as gettext reads it (first set variable wins)."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable)
        if not value:
            continue
        # LANGUAGE may list several, in order of preference: zh_CN:en
        for part in value.split(":"):
            if part in ("C", "POSIX") or part.startswith("C."):
                return None
            found = normalise(part)
            if found is not None:
                return found
        return None
    return None


def choose(
    override: str | None = None, bank_language: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """``--lang`` first, then the bank's language where a catalog exists, then the locale, then English."""
    return normalise(override) or normalise(bank_language) or from_locale(environ) or DEFAULT


def translation(language: str) -> gettext.NullTranslations:
    if language not in _translations:
        if language == DEFAULT:
            _translations[language] = gettext.NullTranslations()  # the source strings are English
        else:
            _translations[language] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    return _translations[language]


def activate(language: str) -> str:
    """Make ``language`` the one ``_()`` translates into; returns the language now active."""
    global _active
    _active = normalise(language) or DEFAULT
    return _active


def active() -> str:
    return _active


def _(message: str) -> str:
    """The message in the active language."""
    return translation(_active).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translation(_active).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for the catalog without translating it now (it is translated where shown)."""
    return message
