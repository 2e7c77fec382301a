"""What demo mode must make plain: its keys are public, so it is for this machine only.

In demo mode anyone who knows the public cookie key can forge a login, so the app says so on every page and,
when the server was started without an explicit ``server.address`` (Streamlit then listens on every
interface), turns away visitors that do not come from this machine. ``make run`` binds to 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
from string import Template

import streamlit as st

from data_access.config import demo_mode
from webapp.i18n import t

# Our own static markup, no user text: a fixed strip at the top centre, so no page (the big screen included)
# loses a pixel of its layout to it. On a phone only the short words show, clear of the sidebar control.
_BANNER = Template("""<style>
.perfdash-demo {position:fixed;top:0;left:50%;transform:translateX(-50%);z-index:1000001;background:#b45309;
  color:#fff;font-weight:700;font-size:15px;padding:3px 16px;border-radius:0 0 6px 6px;pointer-events:none;
  white-space:nowrap}
.perfdash-demo .short {display:none}
@media (max-width: 640px) {.perfdash-demo .long {display:none} .perfdash-demo .short {display:inline}}
</style><div class="perfdash-demo" data-testid="perfdash-demo-banner"><span class="long">$long</span><span
class="short">$short</span></div>""")


def demo_banner() -> None:
    """The 演示模式 strip on every page while demo mode is on."""
    if demo_mode():
        st.html(_BANNER.substitute(long=t("demo.banner"), short=t("demo.banner_short")))


def is_local_visitor(ip_address: object) -> bool:
    """Streamlit reports ``None`` for a visitor on localhost; loopback addresses count as local too.

    Anything but text means there is no network client at all (AppTest hands scripts a stand-in object).
    """
    if not isinstance(ip_address, str):
        return True
    try:
        return ipaddress.ip_address(ip_address.split("%")[0]).is_loopback
    except ValueError:
        return False


def refuse_remote_visitors_in_demo() -> None:
    """Stop the page for a remote visitor of a demo server that listens on every interface."""
    if not demo_mode() or st.get_option("server.address"):
        return  # not a demo, or the operator chose the address explicitly
    if not is_local_visitor(st.context.ip_address):
        st.error(t("demo.local_only"))
        st.stop()
