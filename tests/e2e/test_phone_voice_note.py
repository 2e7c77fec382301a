"""A manager records a voice note on a phone (Chromium's fake microphone), has it transcribed into the note by a
loopback speech service, saves, and the recording is stored with the report and played back."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data_access import create_database_engine
from data_access.models import Project, User
from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle
from tests.speech import speech_service

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
         "locale": "zh-CN", "permissions": ["microphone"]}
TRANSCRIPT = "钢筋已进场验收。"


def test_a_voice_note_is_recorded_transcribed_into_the_note_and_stored(browser, seeded_sqlite_file: Path,
                                                                         tmp_path: Path) -> None:
    database = tmp_path / "voice.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    engine = create_database_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        project_id = session.execute(select(Project.id).join(User, User.id == Project.manager_id).where(
            User.username == "pm_kaifeng1", Project.status == "active").order_by(Project.id)).scalars().first()
    heard: list[tuple[str, bytes]] = []

    def answer(request, body: bytes) -> tuple[int, bytes]:
        heard.append((request.headers["Content-Type"], body[:4]))
        return 200, json.dumps({"text": TRANSCRIPT}, ensure_ascii=False).encode()

    with speech_service(answer) as asr, running_server(
            database, PERFDASH_UPLOAD_DIR=str(tmp_path / "uploads"), PERFDASH_ASR_URL=asr) as url:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(url)
        log_in(page, "pm_kaifeng1")
        page.locator("a[href*='report?project=']").first.click()
        page.get_by_role("heading", name="进度填报").first.wait_for()
        wait_until_idle(page)
        if f"project={project_id}" not in page.url:
            page.goto(f"{url}/report?project={project_id}")
            wait_until_idle(page)
        recorder = page.locator("[data-testid='stAudioInput']")
        recorder.scroll_into_view_if_needed()
        recorder.locator("[data-testid='stAudioInputActionButton']").first.click()
        page.wait_for_timeout(2000)
        recorder.get_by_label("Stop recording").click()
        page.get_by_role("button", name="转写为文字（填入备注，保存前请核对）").click()
        page.get_by_text("转写的文字已填入备注，请核对修改后再保存。").wait_for()
        assert page.get_by_label("说明", exact=True).input_value().endswith(TRANSCRIPT)
        assert heard == [("audio/wav", b"RIFF")]
        screenshot(page, "phone-voice-note")
        page.get_by_role("button", name="保存草稿", exact=True).click()
        page.locator("audio").first.wait_for(timeout=30_000)
        wait_until_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
    with engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT a.kind, a.content_type, a.size_bytes > 1000, r.note FROM attachments a "
            "JOIN reports r ON r.id = a.report_id WHERE a.project_id = :p AND a.kind = 'audio'"),
            {"p": project_id}).all()
    engine.dispose()
    assert len(stored) == 1 and stored[0][:3] == ("audio", "audio/wav", True)
    assert stored[0][3].endswith(TRANSCRIPT)
