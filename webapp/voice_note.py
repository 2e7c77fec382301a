"""The voice note of a monthly report on a phone (语音备注): the recorder under the note, and — only where a speech
service is configured (``PERFDASH_ASR_URL``) — a button that puts the transcript into the note for the user to
check before saving. The recording is stored with the report's photos when the report is saved."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data_access import DataAccessError
from services import voice_notes
from services.file_types import sniff_audio
from webapp.i18n import current_language, t
from webapp.session import show_data_error

NOTE_LIMIT = 2000  # the note's text area takes this many characters
TRANSCRIBED_KEY = "voice_transcribed"  # the transcription's outcome, shown after its rerun: True or the error


def _transcribe(recorded: UploadedFile, note_key: str, url: str) -> None:
    """Add the transcript to the note (after what is typed there already); a failure leaves the note as it was."""
    try:
        data = recorded.getvalue()
        text = voice_notes.transcribe(data, sniff_audio(data).content_type, language=current_language(), url=url)
    except DataAccessError as error:
        st.session_state[TRANSCRIBED_KEY] = error
        return
    typed = str(st.session_state.get(note_key) or "").rstrip()
    st.session_state[note_key] = (f"{typed}\n{text}" if typed else text)[:NOTE_LIMIT]
    st.session_state[TRANSCRIBED_KEY] = True


def voice_input(key: str, note_key: str) -> UploadedFile | None:
    """The recorder, and the transcription button or the words saying there is none; the recording, if any."""
    recorded = st.audio_input(t("voice.record"), key=f"{key}_recorder", help=t("voice.record_help"))
    try:
        url = voice_notes.asr_url()
    except DataAccessError as error:
        show_data_error(error)
        url = None
    if url is None:
        st.caption(t("voice.asr_off"))
    elif recorded is None:
        st.caption(t("voice.asr_on"))
    else:
        st.button(t("voice.transcribe"), key=f"{key}_transcribe", icon=":material/subtitles:", width="stretch",
                  on_click=_transcribe, args=(recorded, note_key, url))
    outcome = st.session_state.pop(TRANSCRIBED_KEY, None)
    if isinstance(outcome, DataAccessError):
        show_data_error(outcome)
    elif outcome:
        st.info(t("voice.transcribed"))
    return recorded
