"""Voice notes: a recording is stored as an audio attachment (by its bytes, scoped, audited) and served back
unchanged; anything else is refused; transcription only where PERFDASH_ASR_URL names a speech service (a
loopback server here), and a service that is down or answers nonsense gives a clear error in both languages."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.errors import ConfigurationError, PermissionDenied, ValidationError
from data_access.models import AuditEntry, Project, User
from services import photos, voice_notes
from services.file_types import sniff, sniff_audio
from tests.conftest import as_viewer
from tests.photos import photo
from tests.speech import recording, speech_service

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def settings(tmp_path: Path) -> photos.PhotoSettings:
    return photos.PhotoSettings(upload_dir=tmp_path / "uploads", photo_max_mb=1, attachment_max_mb=0.1)


def _project(engine: Engine, manager: str = "pm_kaifeng1") -> int:
    with Session(engine) as session:
        return int(session.execute(select(Project.id).join(User, User.id == Project.manager_id)
                                   .where(User.username == manager).order_by(Project.id)).scalars().first())


@pytest.mark.parametrize(("data", "content_type"), [
    (recording(), "audio/wav"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87", "audio/webm"),
    (b"OggS\x00\x02" + b"\x00" * 20, "audio/ogg"),
    (b"ID3\x04\x00\x00" + b"\x00" * 20, "audio/mpeg"),
    (b"\xff\xfb\x90\x64" + b"\x00" * 20, "audio/mpeg"),
])
def test_a_recording_is_audio_by_its_container_signature(data: bytes, content_type: str) -> None:
    assert (sniff_audio(data).kind, sniff_audio(data).content_type) == ("audio", content_type)


@pytest.mark.parametrize("data", [photo(), b"%PDF-1.4\n", b"<html>not a recording</html>", b"RIFF\x00\x00\x00\x00AVI "])
def test_anything_else_is_not_a_voice_note(data: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        sniff_audio(data)
    assert refused.value.message_zh == "语音备注须为 WAV、WebM、Ogg 或 MP3 录音"


def test_the_general_upload_still_takes_no_audio() -> None:
    with pytest.raises(ValidationError):
        sniff(recording())


def test_a_recording_is_stored_audited_and_played_back_byte_for_byte(seeded_engine: Engine,
                                                                      settings: photos.PhotoSettings) -> None:
    project_id = _project(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    data = recording()
    attachment_id = photos.add_attachment(seeded_engine, manager, project_id=project_id, report_id=None,
                                          period=DECEMBER, filename="audio.wav", data=data, settings=settings,
                                          voice=True)
    listing = photos.list_attachments(seeded_engine, manager, project_id=project_id)
    row = listing[listing["id"] == attachment_id].iloc[0]
    assert (row["kind"], row["content_type"], row["filename"], row["finding"]) == ("audio", "audio/wav",
                                                                                   "audio.wav", None)
    assert photos.attachment_content(seeded_engine, as_viewer(seeded_engine, "admin"),
                                     attachment_id, settings=settings) == ("audio.wav", "audio/wav", data)
    with Session(seeded_engine) as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.entity == "attachment",
                                                         AuditEntry.entity_id == str(attachment_id))).scalar_one()
    assert (entry.action, json.loads(entry.after)["kind"]) == ("attachment.create", "audio")


def test_a_voice_note_of_another_type_or_too_long_is_refused_and_nothing_is_stored(
        seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    project_id = _project(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(ValidationError) as wrong:
        photos.add_attachment(seeded_engine, manager, project_id=project_id, report_id=None, period=DECEMBER,
                              filename="note.wav", data=photo(), settings=settings, voice=True)
    assert str(wrong.value) == "A voice note must be a WAV, WebM, Ogg or MP3 recording"
    with pytest.raises(ValidationError) as long:
        photos.add_attachment(seeded_engine, manager, project_id=project_id, report_id=None, period=DECEMBER,
                              filename="long.wav", data=recording() + b"\x00" * 120_000, settings=settings,
                              voice=True)
    assert long.value.message_zh == "文件过大（0.1 MB），最大 0.1 MB"
    assert photos.list_attachments(seeded_engine, manager, project_id=project_id).empty
    assert not (settings.upload_dir.exists() and any(settings.upload_dir.rglob("*.*")))


def test_another_districts_official_can_neither_record_nor_hear_it(seeded_engine: Engine,
                                                                   settings: photos.PhotoSettings) -> None:
    project_id = _project(seeded_engine)
    foreign = as_viewer(seeded_engine, "official_yuhu")
    with pytest.raises(PermissionDenied):
        photos.add_attachment(seeded_engine, foreign, project_id=project_id, report_id=None, period=DECEMBER,
                              filename="audio.wav", data=recording(), settings=settings, voice=True)
    attachment_id = photos.add_attachment(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"),
                                          project_id=project_id, report_id=None, period=DECEMBER,
                                          filename="audio.wav", data=recording(), settings=settings, voice=True)
    with pytest.raises(PermissionDenied):
        photos.attachment_content(seeded_engine, foreign, attachment_id, settings=settings)


# -- transcription ---------------------------------------------------------------------------------------------
def test_the_transcript_follows_the_documented_contract() -> None:
    seen: dict[str, object] = {}

    def answer(request: http.server.BaseHTTPRequestHandler, body: bytes) -> tuple[int, bytes]:
        seen.update(path=request.path, type=request.headers["Content-Type"],
                    language=request.headers["Accept-Language"], body=body)
        return 200, json.dumps({"text": " 本月完成主体结构封顶。 "}, ensure_ascii=False).encode()

    data = recording()
    with speech_service(answer) as url:
        assert voice_notes.transcribe(data, "audio/wav", language="zh", url=url) == "本月完成主体结构封顶。"
    assert seen == {"path": "/asr", "type": "audio/wav", "language": "zh-CN", "body": data}


@pytest.mark.parametrize(("status", "body", "detail_zh"), [
    (503, b"{}", "HTTP 503"),
    (200, b"<html>busy</html>", "回复无法解读"),
    (200, b'{"text": "   "}', "未识别出文字"),
])
def test_a_service_that_gives_no_transcript_says_so_in_both_languages(status: int, body: bytes,
                                                                      detail_zh: str) -> None:
    with speech_service(lambda _request, _body: (status, body)) as url, \
            pytest.raises(voice_notes.TranscriptionFailed) as failed:
        voice_notes.transcribe(recording(), "audio/wav", language="en", url=url)
    assert failed.value.message_zh == f"语音转写服务未返回文字（{detail_zh}），录音已保留，请手动填写备注"


def test_a_service_that_is_down_gives_a_clear_error() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(voice_notes.TranscriptionFailed) as failed:
        voice_notes.transcribe(recording(), "audio/wav", language="en", url=f"http://127.0.0.1:{port}/asr")
    assert str(failed.value) == ("The speech service gave no transcript (unreachable); the recording is kept — "
                                 "please type the note")


def test_transcription_is_off_without_the_setting_and_a_bad_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERFDASH_ASR_URL", raising=False)
    assert voice_notes.asr_url() is None
    monkeypatch.setenv("PERFDASH_ASR_URL", "http://127.0.0.1:8765/asr")
    assert voice_notes.asr_url() == "http://127.0.0.1:8765/asr"
    monkeypatch.setenv("PERFDASH_ASR_URL", "file:///etc/passwd")
    with pytest.raises(ConfigurationError) as refused:
        voice_notes.asr_url()
    assert refused.value.message_zh == "设置 PERFDASH_ASR_URL 须为 http(s) 地址，当前为 'file:///etc/passwd'"
