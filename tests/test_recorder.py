"""The recorder's time-to-resolution bins are the DDSketch that adding each time would
make: the same keys, and the same quantiles to the last bit."""

from __future__ import annotations

import math

from ddsketch import DDSketch
from ddsketch.mapping import LogarithmicMapping
from hypothesis import given
from hypothesis import strategies as st

from sim.metrics import recorder as rec
from sim.metrics.recorder import Ending, IssueState, Recorder

QUANTILES = (0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 1.0)


@given(st.floats(min_value=0.0, max_value=1e12, exclude_min=True)
       | st.floats(min_value=1e-310, max_value=1e-300))
def test_a_bin_key_is_the_sketch_mapping_key(value: float) -> None:
    """The recorder's key of a time is the one ddsketch's mapping computes."""
    mapping = LogarithmicMapping(rec._TTR_ACCURACY)
    assert mapping.min_possible == rec._TTR_MIN
    if value > mapping.min_possible:
        assert math.ceil(math.log(value, 2) * rec._TTR_MULTIPLIER) == mapping.key(value)


@given(st.lists(st.floats(min_value=0.0, max_value=1e5) | st.just(0.0), max_size=300))
def test_ttr_quantiles_are_those_of_a_ddsketch(times: list[float]) -> None:
    """Resolved issues' times give the quantiles a DDSketch of those times gives."""
    recorder = Recorder(0.0, 1e9, {})
    sketch = DDSketch(relative_accuracy=rec._TTR_ACCURACY)
    for i, ttr in enumerate(times):
        issue = IssueState(i, i, 0, 0, 1.0, True, "voice")
        recorder.issue_arrived(issue)
        recorder.issue_ended(issue, Ending.RESOLVED, issue.arrived + ttr)
        sketch.add(issue.arrived + ttr - issue.arrived)
    expected = [math.nan if not times else float(sketch.get_quantile_value(q))
                for q in QUANTILES]
    got = recorder.ttr_quantiles(QUANTILES)
    assert [x.hex() for x in got] == [x.hex() for x in expected]
    assert recorder.ttr_sketch().count == sketch.count


def test_an_issue_with_its_row_put_is_not_given_to_the_sink_again() -> None:
    """``issue_ended(..., recorded=True)`` counts the issue but makes no sink call."""
    calls: list[str] = []

    class Sink:
        def issue_ended(self, issue: IssueState, ending: Ending, now: float) -> None:
            calls.append("issue_ended")

    recorder = Recorder(0.0, 100.0, {})
    recorder.records = Sink()  # type: ignore[assignment]
    for recorded in (False, True):
        issue = IssueState(int(recorded), 0, 0, 0, 1.0, True, "voice")
        recorder.issue_arrived(issue)
        recorder.issue_ended(issue, Ending.IN_QUEUE, 2.0, recorded)
    assert calls == ["issue_ended"]
    assert recorder.abandoned == 2 and not recorder.live
