"""Voice notes on pages: the report's recorder says whether transcription is configured, the transcription
button puts the loopback service's transcript into the note (or shows the failure and leaves the note), and the
scorecard and the report review play the stored recording back."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.db import create_database_engine
from data_access.models import Project, Region, Report
from services import photos
from tests.conftest import as_viewer
from tests.speech import recording, speech_service

DECEMBER, OCTOBER = dt.date(2026, 12, 1), dt.date(2026, 10, 1)
ASR_OFF = "语音转文字未配置：录音将原样保存，请在上方备注中手动填写要点。"
ASR_ON = "录音后可转写为文字填入备注。"


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PERFDASH_UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _voice_note(app_env: Path, period: dt.date = DECEMBER) -> tuple[int, int]:
    """A submitted report for ``period`` of a Longting project with a voice note; (project id, report id)."""
    engine = create_database_engine(f"sqlite:///{app_env}")
    with Session(engine) as session, session.begin():
        reported = select(Report.project_id).where(Report.period == period)
        project_id = session.execute(select(Project.id).join(Region).where(
            Region.code == "410202", Project.status == "active", Project.id.not_in(reported))
            .order_by(Project.id)).scalars().first()
        report = Report(project_id=project_id, period=period, status="submitted",
                        created_at=dt.datetime.now(dt.UTC))
        session.add(report)
        session.flush()
        report_id = report.id
    photos.add_attachment(engine, as_viewer(engine, "official_longting"), project_id=project_id,
                          report_id=report_id, period=period, filename="audio.wav", data=recording(), voice=True)
    engine.dispose()
    return project_id, report_id


@pytest.mark.usefixtures("uploads")
def test_the_scorecard_plays_the_voice_note_back(logged_in, app_env) -> None:
    project_id, _ = _voice_note(app_env)
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.error
    players = at.get("audio")
    assert len(players) == 1 and players[0].proto.url.endswith(".wav")
    assert any("语音备注" in element.value for element in at.markdown)


@pytest.mark.usefixtures("uploads")
def test_the_report_review_plays_the_voice_note_back(logged_in, app_env) -> None:
    project_id, _ = _voice_note(app_env, OCTOBER)
    at = logged_in("official_longting", "views/report.py")
    at.query_params.update({"project": str(project_id), "period": f"{OCTOBER:%Y-%m}"})
    at.run()
    assert not at.exception and not at.error, [error.value for error in at.error]
    assert "审核月报" in [header.value for header in at.subheader]
    assert len(at.get("audio")) == 1


@pytest.mark.parametrize(("asr", "says_off"), [(None, True), ("http://127.0.0.1:9/asr", False)])
@pytest.mark.usefixtures("app_env")
def test_the_report_offers_the_recorder_and_says_when_transcription_is_off(logged_in, monkeypatch, asr,
                                                                            says_off) -> None:
    if asr is None:
        monkeypatch.delenv("PERFDASH_ASR_URL", raising=False)
    else:
        monkeypatch.setenv("PERFDASH_ASR_URL", asr)
    at = logged_in("pm_kaifeng1", "views/report.py")
    assert not at.exception and not at.error
    assert len(at.get("audio_input")) == 1
    captions = [caption.value for caption in at.caption]
    assert (ASR_OFF in captions, ASR_ON in captions) == (says_off, not says_off)


def _transcribe_script() -> None:
    from dataclasses import dataclass

    import streamlit as st

    from tests.speech import recording
    from webapp.voice_note import _transcribe

    @dataclass
    class Upload:  # what _transcribe reads of Streamlit's UploadedFile
        data: bytes

        def getvalue(self) -> bytes:
            return self.data

    outcome = st.session_state.pop("voice_transcribed", None)
    st.text_area("note", key="note")
    st.button("transcribe", on_click=_transcribe, args=(Upload(recording()), "note", st.session_state["url"]))
    if outcome is not None:
        st.text("done" if outcome is True else outcome.message_zh)


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize(("status", "answer", "note", "said"), [
    (200, {"text": "基坑支护已完成。"}, "钢筋进场验收合格。\n基坑支护已完成。", "done"),
    (500, {}, "钢筋进场验收合格。", "语音转写服务未返回文字（HTTP 500），录音已保留，请手动填写备注"),
])
def test_the_transcript_goes_into_the_note_after_what_is_typed_and_a_failure_leaves_it(
        status: int, answer: dict[str, str], note: str, said: str) -> None:
    body = json.dumps(answer, ensure_ascii=False).encode()
    with speech_service(lambda _request, _body: (status, body)) as url:
        at = AppTest.from_function(_transcribe_script, default_timeout=30)
        at.session_state["url"] = url
        at.run()
        at.text_area[0].input("钢筋进场验收合格。").run()
        at.button[0].click().run()
    assert not at.exception
    assert at.text_area[0].value == note
    assert [element.value for element in at.text] == [said]
