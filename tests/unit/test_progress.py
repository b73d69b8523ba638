"""The import's progress line: share done, rate and ETA."""
from __future__ import annotations

import io

from devtools.transfer import Progress


def test_the_share_done_counts_rows_written_not_bytes_read_ahead():
    progress = Progress(total_bytes=10_000, out=io.StringIO())
    progress.done_bytes, progress.read_rows = 5_000, 400  # the reader is at half the file: ~800 rows in all
    for _ in range(100):
        progress.tick()
    line = progress.line(now=progress.started + 10)
    assert " 12.5%" in line and "100 rows" in line and "10 rows/s" in line
    assert "ETA 1m10s" in line  # 700 rows to go at 10 rows/s


def test_the_end_reads_one_hundred_percent():
    out = io.StringIO()
    progress = Progress(total_bytes=100, out=out)
    for skipped in (False, True):
        progress.tick(skipped=skipped)
    progress.done_bytes, progress.read_rows = 100, 2
    progress.finish()
    assert "100.0%" in out.getvalue() and "already there 1" in out.getvalue()
