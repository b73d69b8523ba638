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
    for outcome in ("created", "exists"):
        progress.tick(outcome)
    progress.done_bytes, progress.read_rows = 100, 2
    progress.finish()
    assert "100.0%" in out.getvalue() and "already there 1" in out.getvalue()


def test_the_summary_says_what_became_of_every_row():
    progress = Progress(total_bytes=100, out=io.StringIO())
    for outcome in ("created", "created", "updated", "exists", "unchanged", "duplicate", "rejected"):
        progress.tick(outcome, flagged=outcome == "duplicate")
    progress.blank = 1
    assert progress.summary() == ("imported 2, updated 1, already there 2, possible duplicates 1 (not imported 1), "
                                  "rejected 1, blank rows skipped 1")
