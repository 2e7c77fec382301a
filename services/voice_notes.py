"""Voice notes (语音备注): transcription of a recording, offered only where a speech service is configured.

The recording itself is stored like any attachment (:func:`services.photos.add_attachment` with ``voice=True``:
WAV, WebM, Ogg or MP3 by its bytes, at most ``PERFDASH_ATTACHMENT_MAX_MB``). Nothing is transcribed on this
machine and no model is downloaded: where ``PERFDASH_ASR_URL`` names a speech service, the recording is sent to
it and its transcript is put into the report's note **for the user to read and correct before saving**.

The service's contract (README, 语音备注): ``POST <PERFDASH_ASR_URL>`` with the recording as the body,
``Content-Type`` its audio type (``audio/wav``, ``audio/webm``, ``audio/ogg`` or ``audio/mpeg``) and
``Accept-Language`` the user's language (``zh-CN`` or ``en``); it answers ``200`` with a UTF-8 JSON object
``{"text": "<transcript>"}``. Any other answer, or none within 30 seconds, is :class:`TranscriptionFailed`.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from data_access.errors import ConfigurationError, DataAccessError

TIMEOUT_S = 30
LANGUAGES = {"zh": "zh-CN", "en": "en"}


class TranscriptionFailed(DataAccessError):
    """The speech service did not give a transcript; the recording is kept and the note is unchanged."""


def asr_url() -> str | None:
    """``PERFDASH_ASR_URL``, or None where no speech service is configured; a URL that is not http(s) is a
    :class:`ConfigurationError`."""
    url = os.environ.get("PERFDASH_ASR_URL", "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ConfigurationError(f"PERFDASH_ASR_URL must be an http(s) URL, not {url!r}",
                                 message_zh=f"设置 PERFDASH_ASR_URL 须为 http(s) 地址，当前为 {url!r}")
    return url


def _failed(detail: str, detail_zh: str) -> TranscriptionFailed:
    return TranscriptionFailed(f"The speech service gave no transcript ({detail}); the recording is kept — "
                               "please type the note",
                               message_zh=f"语音转写服务未返回文字（{detail_zh}），录音已保留，请手动填写备注")


def transcribe(data: bytes, content_type: str, *, language: str, url: str) -> str:
    """The transcript of a recording from the speech service at ``url`` (see the module's contract)."""
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": content_type, "Accept": "application/json",
        "Accept-Language": LANGUAGES.get(language, "zh-CN")})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # asr_url checked http(s)
            body = response.read(1_000_000)
    except urllib.error.HTTPError as error:
        raise _failed(f"HTTP {error.code}", f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise _failed("unreachable", "无法连接") from error
    try:
        text = json.loads(body.decode("utf-8"))["text"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise _failed("unreadable answer", "回复无法解读") from error
    if not isinstance(text, str) or not text.strip():
        raise _failed("empty transcript", "未识别出文字")
    return text.strip()
