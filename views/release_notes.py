"""更新公告 What's new: the release notes of CHANGELOG.md, newest first, each release the user had not seen
marked new and open, the older ones folded; opening the page records the newest release as seen, so the
navigation's badge goes."""
import streamlit as st

from components.formatting import date
from components.text import plain
from services import release_notes
from webapp.feedback_box import mark_seen, seen_version
from webapp.i18n import current_language, t
from webapp.session import current_viewer

NEW_SINCE_KEY = "release_notes_new"  # the versions that were new when the page was opened, for this session
viewer = current_viewer()
lang = current_language()
st.title(t("page.release_notes"))
try:
    releases = release_notes.releases()
except (OSError, release_notes.ChangelogError):
    st.error(t("release_notes.unreadable"))
    st.stop()
unseen = {release.version for release in release_notes.unseen(releases, seen_version(viewer))}
if unseen:
    st.session_state[NEW_SINCE_KEY] = unseen
if mark_seen(viewer, releases[0].version):
    st.rerun()  # the navigation is drawn before the page: draw it again without the badge
new = st.session_state.get(NEW_SINCE_KEY, set())
for number, release in enumerate(releases):
    heading = f"{plain(release.version)} · {date(release.date, lang)}"
    changes = "\n".join(f"- {plain(change)}" for change in release.changes(lang))
    if number and release.version not in new:  # older releases folded: the page stays short on a phone
        st.expander(heading).markdown(changes)
        continue
    box = st.container(border=True)
    badge = f" :orange-badge[{t('release_notes.new')}]" if release.version in new else ""
    box.subheader(heading + badge)
    box.markdown(changes)
