import datetime as dt

import pandas as pd

from components.alert_tables import board_order, days_open, history_table

TODAY = dt.date(2026, 11, 30)


def test_days_open_counts_calendar_days_in_china_time_from_the_opening_to_today():
    opened = pd.Series([
        pd.Timestamp("2026-11-23 02:00", tz="UTC"),  # 23 Nov in Beijing too: 7 days
        pd.Timestamp("2026-11-29 20:00", tz="UTC"),  # 30 Nov 04:00 in Beijing: opened today, 0 days
        pd.Timestamp("2026-11-29 15:59", tz="UTC"),  # 29 Nov 23:59 in Beijing: 1 day
        "2026-08-31 16:00:00",                        # naive, as SQLite returns it (UTC): 1 Sep in Beijing, 90 days
    ])
    assert days_open(opened, TODAY).tolist() == [7, 0, 1, 90]


def test_the_history_reads_newest_first_with_catalog_headers_and_no_none():
    history = pd.DataFrame({
        "occurred_at": [pd.Timestamp("2026-11-01 01:00", tz="UTC"), pd.Timestamp("2026-11-04 02:30", tz="UTC"),
                        pd.Timestamp("2026-11-05 03:00", tz="UTC")],
        "actor": [None, "李明", None],
        "from_status": [None, "open", "open"],
        "to_status": ["open", "acknowledged", "open"],
        "note": [None, None, "escalated after 3 days unacknowledged"],
    })
    table = history_table(history, "zh")
    assert list(table.columns) == ["时间", "操作人", "原状态", "新状态", "说明"]
    assert table.to_dict("records") == [
        {"时间": "2026-11-05 11:00", "操作人": "系统", "原状态": "待处理", "新状态": "待处理",
         "说明": "超过 3 天未确认，已上报"},
        {"时间": "2026-11-04 10:30", "操作人": "李明", "原状态": "待处理", "新状态": "已确认", "说明": ""},
        {"时间": "2026-11-01 09:00", "操作人": "系统", "原状态": "—", "新状态": "待处理", "说明": ""},
    ]
    assert list(history_table(history, "en").columns) == ["Time", "By", "From", "To", "Note"]


def test_the_board_puts_overdue_tasks_first_then_red_orange_yellow_then_the_nearest_due_date():
    alerts = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6, 7],
        "status": ["rectifying", "open", "rectifying", "rectifying", "acknowledged", "resolved", "rectifying"],
        "severity": ["yellow", "red", "orange", "red", "orange", "red", "red"],
        "due_date": [dt.date(2026, 11, 20), None, dt.date(2026, 12, 20), dt.date(2026, 12, 10), None,
                     dt.date(2026, 11, 1), dt.date(2026, 11, 25)],
    })
    board = board_order(alerts, TODAY)
    # 7 and 1 are overdue (red before yellow); 6 was submitted: past its date but not overdue
    assert board["id"].tolist() == [7, 1, 6, 4, 2, 3, 5]
    assert board.set_index("id")["overdue"].to_dict() == {7: True, 1: True, 6: False, 4: False, 2: False, 3: False,
                                                         5: False}
