"""The Streamlit app's wiring: login, per-role navigation, session, sidebar filters, cached scoped reads.

Pages use it together with ``components`` (pure view builders, which never touch the data layer).
"""
