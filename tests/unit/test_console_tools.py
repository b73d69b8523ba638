"""The console tools end in one line and an exit code, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.core.errors import Invalid, Unavailable
from devtools import local
from devtools.invoke import envelope_problem

EVENTS = Path(__file__).resolve().parents[2] / "events" / "connect"


def sample(name: str):
    return json.loads((EVENTS / name).read_text())


@pytest.mark.parametrize("function, event, words", [
    ("connect_events", sample("flow-lookup.json"), "EventBridge event"),
    ("connect_events", [1, 2], "EventBridge event"),
    ("connect_records", sample("contact-records.json"), "Kinesis event"),
    ("connect_records", {"Records": [{"data": "x"}]}, "Kinesis event"),
    ("connect_lookup", [], "contact flow event"),
])
def test_an_event_of_the_wrong_shape_is_named_before_the_function_runs(function, event, words):
    assert words in envelope_problem(function, event)


@pytest.mark.parametrize("function, name", [("connect_events", "contact-event-connected.json"),
                                            ("connect_records", "kinesis-records.json"),
                                            ("connect_lookup", "flow-lookup.json")])
def test_the_samples_are_the_right_shape(function, name):
    assert envelope_problem(function, sample(name)) is None


def test_a_slow_table_is_tried_again_then_named_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    tries = []

    def flaky() -> int:
        tries.append(1)
        if len(tries) < 3:
            raise Unavailable("the table is not reachable; try again")
        return 0

    assert local.answering_in_words("export", flaky) == 0 and len(tries) == 3
    assert local.answering_in_words("export", lambda: (_ for _ in ()).throw(Unavailable("down"))) == local.UNREACHABLE
    said = capsys.readouterr().err.strip().splitlines()
    assert said[-1] == "error: export: down; tried 3 times" and "Traceback" not in "\n".join(said)


def test_bad_input_and_bugs_end_in_one_line(capsys):
    from chalicelib.models.apikey import KeyRequest

    assert local.answering_in_words("key", lambda: KeyRequest(name="x" * 500, role="ivr")) == local.FAILED
    assert local.answering_in_words("key", lambda: (_ for _ in ()).throw(Invalid("name: taken"))) == local.FAILED
    assert local.answering_in_words("import", lambda: {}["missing"]) == local.FAILED
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("error: key: name") and lines[1] == "error: key: name: taken"
    assert lines[2] == "error: import stopped (KeyError); please report it"


def test_make_runs_wait_lets_a_stop_signal_in_whichever_thread_the_kernel_hands_it_to():
    """A SIGTERM taken by another thread of the process (the emulation's, the
    snapshots') must still stop ``make run``: its handler runs in the main
    thread, which a blocking wait for the child would never let happen."""
    import signal
    import subprocess
    import sys
    import threading
    import time

    from devtools.local import wait_for

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    stopped = []

    def stop(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        def signal_this_thread() -> None:
            time.sleep(0.3)
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # delivered here, not to the main thread

        other = threading.Thread(target=signal_this_thread)
        other.start()
        started = time.monotonic()
        try:
            wait_for(child)
        except KeyboardInterrupt:
            stopped.append(time.monotonic() - started)
        assert stopped and stopped[0] < 3  # not the child's 30 s
    finally:
        signal.signal(signal.SIGTERM, previous)
        child.kill()
        child.wait()
        other.join()
