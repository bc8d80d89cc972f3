"""The drivers' translation of `:name` statements (models/raw.py)."""

from __future__ import annotations

import sqlite3

import pytest

from models.raw import Driver, Statements, _Asyncpg


def test_sqlite_binds_names_by_position_and_a_repeated_name_twice() -> None:
    driver = Driver()
    sql = Statements(pair="SELECT :a, :b, :a").for_driver(driver)["pair"]
    assert sql == "SELECT ?, ?, ?"
    row = sqlite3.connect(":memory:").execute(sql, driver.args(sql, {"a": 1, "b": "hai", "c": 3})).fetchone()
    assert row == (1, "hai", 1)


@pytest.mark.parametrize("driver", [Driver(), _Asyncpg()], ids=["sqlite", "asyncpg"])
def test_two_statements_alike_but_for_their_names_are_refused(driver: Driver) -> None:
    # Both translate to the same text; binding one with the other's names would put the
    # wrong values in: refused when the second is translated, not at run time.
    driver.sql("SELECT 1 WHERE x = :phone")
    with pytest.raises(RuntimeError, match="translated twice"):
        driver.sql("SELECT 1 WHERE x = :number")
