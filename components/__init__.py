"""Reusable view builders: functions that return plotly figures, pydeck decks and small widgets."""
