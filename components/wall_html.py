"""The wall's HTML panels (title bar, panel headings, KPI column, warning ticker) and its stylesheet (pure builders).

The wall is designed on a 1920 × 1080 canvas; :data:`WALL_CSS` zooms that canvas to the viewport (CSS ``zoom``
by ``min(100vw / 1920px, 100vh / 1080px)``), so every text, chart and gap grows with the screen: 16 px at 1080p
is 32 px at 4K. Every text passed in is user data or a catalog string and is escaped here.
"""
from __future__ import annotations

from dataclasses import dataclass

from components.bigscreen import ACCENT, MUTED, NAVY, TEXT_COLOUR
from components.colours import WARNING_COLOURS, risk_colour
from components.text import html_text

CANVAS_WIDTH, CANVAS_HEIGHT = 1920, 1080
PANEL = "#10284d"
SCALE = f"min(calc(100vw / {CANVAS_WIDTH}px), calc(100vh / {CANVAS_HEIGHT}px))"  # the screen against the canvas

WALL_CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stBottom"] {{display: none !important;}}
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {NAVY} !important; overflow: hidden !important;}}
.stApp, .stApp p, .stApp span, .stApp div, .stApp label {{color: {TEXT_COLOUR};}}
[data-testid="stMain"] {{padding: 0 !important;}}
[data-testid="stMainBlockContainer"] {{
  zoom: {SCALE}; width: {CANVAS_WIDTH}px; max-width: {CANVAS_WIDTH}px !important;
  height: {CANVAS_HEIGHT}px; padding: 12px 20px !important; margin: 0 auto; overflow: hidden;}}
/* charts measure their box in screen pixels: they are drawn at the screen's scale (?scale=) and unzoomed */
[data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]) {{
  zoom: calc(1 / {SCALE});}}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{gap: 14px;}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] {{
  position: absolute; width: 0; height: 0; overflow: hidden;}}  /* the app's stylesheets and hidden frames */
.perfdash-demo {{font-size: 16px !important; zoom: {SCALE};}}
.wall-title {{display: flex; align-items: center; gap: 28px; height: 60px; padding: 0 20px; border-radius: 6px;
  background: linear-gradient(90deg, {PANEL}, {NAVY} 50%, {PANEL}); border-bottom: 2px solid {ACCENT};}}
.wall-title .system {{font-size: 32px; font-weight: 700; letter-spacing: 2px;}}
.wall-title .scope {{font-size: 26px; color: {ACCENT}; font-weight: 600;}}
.wall-title .asof, .wall-title .updated {{font-size: 20px; color: {MUTED};}}
.wall-title .clock {{margin-left: auto; font-size: 28px; font-variant-numeric: tabular-nums;}}
.st-key-wall_exit a {{border: 1px solid {MUTED}; border-radius: 4px; padding: 0 8px;}}
.st-key-wall_exit a p, .st-key-wall_exit a span {{font-size: 18px !important; color: {MUTED} !important;}}
.wall-head {{font-size: 22px; font-weight: 600; color: {TEXT_COLOUR}; border-left: 4px solid {ACCENT};
  padding-left: 10px; height: 30px; line-height: 30px; white-space: nowrap; overflow: hidden;}}
.wall-head .note {{font-size: 18px; color: {MUTED}; font-weight: 400; margin-left: 12px;}}
.wall-kpis {{display: flex; flex-direction: column; gap: 10px; height: 650px;}}
.wall-kpi {{flex: 1; background: {PANEL}; border-radius: 6px; padding: 6px 18px; display: flex;
  flex-direction: column; justify-content: center; border-left: 4px solid {ACCENT}; overflow: hidden;}}
.wall-kpi .title {{font-size: 20px; line-height: 1.3; color: {MUTED};}}
.wall-kpi .value {{font-size: 46px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums;}}
.wall-kpi .unit {{font-size: 22px; color: {MUTED}; margin-left: 6px; font-weight: 400;}}
.wall-kpi .change {{font-size: 20px; line-height: 1.3; color: {ACCENT};}}
.wall-kpi .detail {{font-size: 18px; color: {MUTED}; margin-left: 8px;}}
.wall-chip {{display: inline-block; padding: 0 8px; border-radius: 4px; font-size: 18px; font-weight: 600;
  color: {NAVY} !important; margin-right: 6px;}}
.wall-ticker {{height: 218px; overflow: hidden; background: {PANEL}; border-radius: 6px; padding: 4px 12px;}}
.wall-ticker ul {{list-style: none; margin: 0; padding: 0;}}
.wall-ticker.moving ul {{animation: wall-scroll var(--wall-scroll-seconds) linear infinite;}}
.wall-ticker li {{height: 40px; line-height: 40px; font-size: 18px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; border-bottom: 1px solid rgba(230, 237, 243, 0.08);}}
.wall-ticker .date {{color: {MUTED}; margin-right: 8px; font-variant-numeric: tabular-nums;}}
.wall-ticker .none {{color: {MUTED};}}
.wall-risk {{height: 256px; overflow: hidden; background: {PANEL}; border-radius: 6px; padding: 2px 12px;}}
.wall-risk ol {{list-style: none; margin: 0; padding: 0;}}
.wall-risk li {{display: grid; grid-template-columns: 30px minmax(0, 1fr) auto; column-gap: 10px; height: 50px;
  align-items: center; border-bottom: 1px solid rgba(230, 237, 243, 0.08);}}
.wall-risk .rank {{grid-row: 1 / 3; font-size: 20px; color: {MUTED}; font-variant-numeric: tabular-nums;}}
.wall-risk .name {{font-size: 20px; line-height: 24px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}}
.wall-risk .district {{font-size: 18px; color: {MUTED}; margin-left: 8px;}}
.wall-risk .chance {{grid-row: 1 / 3; grid-column: 3; font-size: 30px; font-weight: 700;
  font-variant-numeric: tabular-nums;}}
.wall-risk .reason {{grid-column: 2; font-size: 17px; line-height: 22px; color: {MUTED}; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis;}}
.wall-risk .none {{font-size: 18px; line-height: 1.5; color: {MUTED}; padding: 8px 0;}}
@keyframes wall-scroll {{from {{transform: translateY(0);}} to {{transform: translateY(-50%);}}}}
.st-key-wall_settings button, .st-key-wall_settings button p {{font-size: 18px !important; min-height: 36px;
  background: transparent; color: {MUTED}; border-color: {MUTED};}}
[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"] {{border-radius: 6px; overflow: hidden;}}
.perfdash-map-legend {{font-size: 18px; height: 30px; overflow: hidden; white-space: nowrap;}}
</style>"""

# Runs once per browser page: the clock ticks every second, Esc leaves the wall for the overview, and the page
# reloads with ?scale= (the screen against the canvas) when it is missing or the window changed size, so the
# server draws the charts at the screen's own pixels (1920 × 1080: the canvas).
WALL_SCRIPT = """<script>
if (!window.perfdashWall) {
  window.perfdashWall = true;
  const rescale = () => {
    const scale = Math.round(Math.min(innerWidth / 1920, innerHeight / 1080) * 100) / 100;
    const url = new URL(window.location.href), asked = parseFloat(url.searchParams.get('scale') || '1');
    if (Math.abs(asked - scale) >= 0.01) { url.searchParams.set('scale', scale); window.location.replace(url); }
  };
  rescale();
  let resized;
  window.addEventListener('resize', () => { clearTimeout(resized); resized = setTimeout(rescale, 800); });
  const tick = () => document.querySelectorAll('.wall-title .clock').forEach(clock => {
    const now = new Date(), two = n => String(n).padStart(2, '0');
    clock.textContent = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())} `
      + `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  });
  setInterval(tick, 1000);
  document.addEventListener('keydown', event => {
    const exit = document.querySelector('.st-key-wall_exit a');
    if (event.key === 'Escape' && exit) { exit.click(); }
  });
}
</script>"""


def title_bar(system: str, scope: str, as_of: str, updated: str, clock: str) -> str:
    """System name, scope, the data's month, when this screen last read the data and a live clock."""
    return (f'<div class="wall-title"><span class="system">{html_text(system)}</span>'
            f'<span class="scope">{html_text(scope)}</span><span class="asof">{html_text(as_of)}</span>'
            f'<span class="updated">{html_text(updated)}</span><span class="clock">{html_text(clock)}</span></div>')


def panel_head(title: str, note: str = "") -> str:
    """A panel's small heading with an optional muted note (e.g. the rank "of N", the rotation)."""
    extra = f'<span class="note">{html_text(note)}</span>' if note else ""
    return f'<div class="wall-head">{html_text(title)}{extra}</div>'


@dataclass(frozen=True)
class Kpi:
    """One KPI panel: the big number (already formatted) with its unit, the change and a detail line."""

    title: str
    value: str
    unit: str = ""
    change: str = ""
    detail: str = ""
    chips: tuple[tuple[str, str], ...] = ()  # (warning level, label), each a coloured chip with its word


def kpi_column(kpis: list[Kpi]) -> str:
    """The left column: one panel per KPI, the value very large with its unit, the change below (▲ / ▼)."""
    panels = []
    for kpi in kpis:
        chips = "".join(f'<span class="wall-chip" style="background:{WARNING_COLOURS[level]}">{html_text(label)}'
                        "</span>" for level, label in kpi.chips)
        unit = f'<span class="unit">{html_text(kpi.unit)}</span>' if kpi.unit else ""
        detail = f'<span class="detail">{html_text(kpi.detail)}</span>' if kpi.detail else ""
        panels.append(f'<div class="wall-kpi"><div class="title">{html_text(kpi.title)}</div>'
                      f'<div class="value">{html_text(kpi.value)}{unit}</div>'
                      f'<div class="change">{html_text(kpi.change)}{detail}{chips}</div></div>')
    return f'<div class="wall-kpis">{"".join(panels)}</div>'


@dataclass(frozen=True)
class WarningLine:
    """One live warning as the ticker shows it (already sorted by the caller: red first, newest first)."""

    severity: str  # red / orange / yellow
    severity_label: str
    date: str
    text: str


def warning_ticker(lines: list[WarningLine], empty: str, visible: int = 6, seconds_per_line: float = 3.0) -> str:
    """The scrolling warning list: severity as a coloured chip with its word, the date, project and rule. More
    lines than fit scroll upwards in a loop (the list drawn twice, moved by half its height); few stand still."""
    if not lines:
        return f'<div class="wall-ticker"><ul><li class="none">{html_text(empty)}</li></ul></div>'
    items = "".join(f'<li><span class="wall-chip" style="background:{WARNING_COLOURS[line.severity]}">'
                    f'{html_text(line.severity_label)}</span><span class="date">{html_text(line.date)}</span>'
                    f"{html_text(line.text)}</li>" for line in lines)
    if len(lines) <= visible:
        return f'<div class="wall-ticker"><ul>{items}</ul></div>'
    duration = f"{len(lines) * seconds_per_line:g}s"
    return (f'<div class="wall-ticker moving" style="--wall-scroll-seconds:{duration}">'
            f"<ul>{items}{items}</ul></div>")


@dataclass(frozen=True)
class RiskLine:
    """One project most likely to slip as the wall lists it (the caller ranks them, most likely first)."""

    rank: int
    name: str
    district: str
    chance: str  # P(late), already formatted ("87%")
    level: str | None  # its band (components.colours.risk_level), for the colour beside the number
    reason: str


def risk_list(lines: list[RiskLine], empty: str) -> str:
    """The projects most likely to slip: rank, name and district, P(late) large in its band's colour, and a short
    reason under the name; ``empty`` (why there is no list: no model, a stale one, no project under way) when
    there are none."""
    if not lines:
        return f'<div class="wall-risk"><p class="none">{html_text(empty)}</p></div>'
    items = "".join(f'<li><span class="rank">{line.rank}</span><span class="name">{html_text(line.name)}'
                    f'<span class="district">{html_text(line.district)}</span></span>'
                    f'<span class="chance" style="color:{risk_colour(line.level)}">{html_text(line.chance)}</span>'
                    f'<span class="reason">{html_text(line.reason)}</span></li>' for line in lines)
    return f'<div class="wall-risk"><ol>{items}</ol></div>'
