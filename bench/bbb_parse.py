"""Parse speed and memory of big BBB answers.

Run: ``python bench/bbb_parse.py``. The answers are rendered by the simulator itself:
getMeetings with 500 meetings x 20 attendees, getRecordings with 1,000 recordings.
Goal: under 200 ms each.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bbb.parsing import parse_response
from bbb.simulator import Simulator

RUNS = 7


def best_ms(work: Callable[[], Any], clock: Callable[[], float] = time.process_time) -> float:
    # CPU time by default: on a shared, busy machine wall time measures the neighbours, not us.
    timings = []
    for _ in range(RUNS):
        started = clock()
        work()
        timings.append(clock() - started)
    return min(timings) * 1000


def peak_mb(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    sim = Simulator(secret="bench")
    sim.bulk_load(meetings=500, attendees_per_meeting=20, recordings=1000)
    meetings_xml = sim.render("getMeetings")
    recordings_xml = sim.render("getRecordings", {"state": "any"})

    # Measure in a clean heap: the simulator's own state would only slow the garbage collector.
    del sim
    gc.collect()

    meetings = parse_response("getMeetings", meetings_xml)
    recordings = parse_response("getRecordings", recordings_xml).recordings
    assert len(meetings) == 500 and all(len(m.attendees) == 20 for m in meetings)
    assert len(recordings) == 1000 and all(len(r.formats) == 2 for r in recordings)

    meetings_ms = best_ms(lambda: parse_response("getMeetings", meetings_xml))
    recordings_ms = best_ms(lambda: parse_response("getRecordings", recordings_xml))
    wall_ms = (
        best_ms(lambda: parse_response("getMeetings", meetings_xml), time.perf_counter),
        best_ms(lambda: parse_response("getRecordings", recordings_xml), time.perf_counter),
    )
    meetings_peak = peak_mb(lambda: parse_response("getMeetings", meetings_xml))
    recordings_peak = peak_mb(lambda: parse_response("getRecordings", recordings_xml))

    print(f"getMeetings:   {len(meetings_xml) / 1e6:.1f} MB XML, 500 meetings x 20 attendees")
    print(f"getRecordings: {len(recordings_xml) / 1e6:.1f} MB XML, 1000 recordings")
    print(
        f"wall time (best of {RUNS}): meetings {wall_ms[0]:.1f} ms, recordings {wall_ms[1]:.1f} ms; RESULT is CPU time"
    )
    print(
        f"RESULT meetings_ms={meetings_ms:.1f} meetings_peak_mb={meetings_peak:.1f} "
        f"recordings_ms={recordings_ms:.1f} recordings_peak_mb={recordings_peak:.1f}"
    )


if __name__ == "__main__":
    main()
