"""The ClickHouse queries in docs/district.md, run by chDB (ClickHouse in-process) over what
Ralph stored from a real class, in the table Ralph's ClickHouse backend writes.

Ralph 5.1.0's ClickHouse backend (``ralph/backends/data/clickhouse.py``) inserts each
statement as ``(event_id = its id, emission_time = its timestamp, event = json.dumps(it))``;
this test does the same with the statements Ralph's API accepted and returns. chDB is a large
wheel and not in the test extra: without it (``pip install chdb``) the test is skipped.
"""

from __future__ import annotations

import json
import re

import pytest

from kepu_server.store.db import open_db
from kepu_server.xapi.sender import flush
from tests.conftest import ROOT
from tests.test_xapi_lrs import ADL, app_config, of_class, ralph, run_class  # noqa: F401

chdb_session = pytest.importorskip("chdb.session", reason="needs chDB (pip install chdb)")
DOC = (ROOT / "docs" / "district.md").read_text(encoding="utf-8")
SQL = [re.sub(r"(?m)^\s*--.*$", "", block) for block in re.findall(r"```sql\n(.*?)```", DOC, re.S)]


def test_the_documented_clickhouse_queries_count_a_class(app, teacher, ralph, tmp_path):  # noqa: F811
    session_id = run_class(app, teacher)
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        flush(db, app.config["KEPU_XAPI"])
    finally:
        db.conn.close()
    stored = of_class(ralph.statements(), session_id)
    assert len(stored) == 52

    ch = chdb_session.Session(str(tmp_path / "ch"))
    ch.query("CREATE DATABASE IF NOT EXISTS xapi")
    create, select = SQL  # the table to create, then the two reports
    ch.query(create)
    rows = "\n".join(json.dumps({"event_id": s["id"], "emission_time": s["timestamp"],
                                 "event": json.dumps(s)}) for s in stored)  # fmt: skip
    ch.query("INSERT INTO xapi.xapi_events_all SETTINGS date_time_input_format = 'best_effort' "
             f"FORMAT JSONEachRow\n{rows}")  # fmt: skip

    handins, attended = [q for q in select.split(";") if q.strip()]
    got = [json.loads(line) for line in str(ch.query(handins, "JSONEachRow")).splitlines()]
    completed = [s for s in stored if s["verb"]["id"] == ADL + "completed"]
    mean = sum(s["result"]["score"]["scaled"] for s in completed) / len(completed)
    assert len(got) == 1 and got[0]["school"] == "Karamay No. 1 Middle School"
    assert got[0]["course"] == "test-course" and int(got[0]["handins"]) == 5
    assert got[0]["mean_score"] == pytest.approx(mean)

    got = [json.loads(line) for line in str(ch.query(attended, "JSONEachRow")).splitlines()]
    assert [(r["school"], int(r["students"])) for r in got] == [("Karamay No. 1 Middle School", 5)]
    assert got[0]["month"] == stored[0]["timestamp"][:7] + "-01"
