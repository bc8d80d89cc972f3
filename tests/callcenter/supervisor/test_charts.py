"""Charts and figures as a supervisor reads them: even ticks, whole labels, Vietnamese numbers."""

from __future__ import annotations

import re
from itertools import pairwise

from callcenter.console.templating import number_vi, vnd
from callcenter.supervisor.charts import WIDTH, Series, bar_chart, column_chart, nice_ticks


def test_axis_ticks_are_even_and_round() -> None:
    assert nice_ticks(0) == [0, 1, 2, 3, 4]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(18) == [0, 5, 10, 15, 20]
    assert nice_ticks(130) == [0, 50, 100, 150, 200]
    for top in range(1, 2000, 7):
        ticks = nice_ticks(top)
        steps = {b - a for a, b in pairwise(ticks)}
        assert len(steps) == 1 and ticks[-1] >= top


def test_numbers_in_vietnamese_format() -> None:
    assert number_vi(0.7, 1) == "0,7"
    assert number_vi(1234567) == "1.234.567"
    assert number_vi(12.25, 1) in ("12,2", "12,3")
    assert vnd(800000) == "800.000 đ"


def test_bar_labels_are_whole_and_inside_the_drawing() -> None:
    long_label = "Nếu số điện thoại đã đăng ký cho một tàu"
    svg = str(bar_chart("Phễu", [long_label, "Menu chính"], [(1200, 3, 4), (5, 0, 0)],
                        [Series("Đi tiếp", "#0a0"), Series("Gặp điện thoại viên", "#fa0"), Series("Bỏ máy", "#f00")]))
    assert '<text x="0" y="' in svg and long_label in svg  # on its own line from the left edge
    assert "1.207" in svg  # the total in Vietnamese format
    for x in re.findall(r'<text x="([\d.]+)"', svg):
        assert 0 <= float(x) <= WIDTH
    columns = str(column_chart("Theo ngày", ["01/12", "02/12"], [(1500, 3), (2, 0)], [Series("A", "#00f"), Series("B", "#f00")]))
    assert ">2.000<" in columns and ">1.500<" in columns  # even ticks 0, 500, 1.000, 1.500, 2.000
