"""Smoke tests of the benchmark harness (bench/): workers answer correctly, the runner builds the
table and fails loudly on a crash. Timings are never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import report, runner  # noqa: E402
from bench.common import WrongAnswer, expect, latency_metrics  # noqa: E402
from bench.worker import RESULT_PREFIX  # noqa: E402
from bench.workloads import TARGETS, WORKLOADS  # noqa: E402


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _worker(workload: str, impl: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", workload, impl, "--quick"],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)][-1]
    return json.loads(line[len(RESULT_PREFIX):])


@pytest.mark.parametrize(
    ("workload", "impl"), [("W1", "actorlab"), ("W3", "tuned"), ("W8", "actorlab")]
)
def test_worker_reports_every_case_and_metric(workload, impl):
    record = _worker(workload, impl)
    wl = WORKLOADS[workload]
    assert record["workload"] == workload and record["impl"] == impl and record["quick"]
    expected_cases = set(wl.cases) if impl == "actorlab" else set(record["cases"])
    assert set(record["cases"]) == expected_cases
    for metrics in record["cases"].values():
        for m in wl.metrics:
            assert metrics[m.key] > 0


def test_runner_quick_writes_table_and_keeps_analysis(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(f"old table\n{runner.ANALYSIS_MARKER}\n## Analysis\nkept text\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "W1",
         "--impl", "actorlab,thread,pykka", "--out", str(out)],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "old table" not in text and text.endswith("## Analysis\nkept text\n")
    assert "| W1 | cell | msg/s ↑ |" in text and "| W1 | actor | msg/s ↑ |" in text
    assert "| W1 | cell | msg/s ↑ | cross-thread floor |" in text  # the ratio table
    assert "cell-to-actor tell ≥ 0.5× cross-thread floor" in text
    assert "**python**: CPython" in text and "**pykka**: 4." in text
    assert "FAILED" not in text


def test_runner_exits_nonzero_and_marks_a_failed_pair(monkeypatch, capsys):
    def fake_run_pair(workload, impl, quick, timeout):
        if impl == "actorlab":
            raise RuntimeError("exit code 1: WrongAnswer: W1 cell: counter value: got 4, expected 5")
        cases = {"cell": {"msg_per_s": 1000.0}}
        return {"workload": workload, "impl": impl, "quick": quick, "cases": cases}

    monkeypatch.setattr(runner, "run_pair", fake_run_pair)
    assert runner.main(["--quick", "--only", "W1", "--impl", "actorlab,thread"]) == 1
    out = capsys.readouterr()
    assert "**FAILED**" in out.out and "counter value: got 4, expected 5" in out.out
    assert "1 run(s) failed" in out.err


def test_render_rebuilds_the_table_from_saved_records(tmp_path, capsys):
    saved = tmp_path / "runs.json"
    records = [_rec("W3", impl, "actor", rt_per_s=v, rt_per_s_cpu=v)
               for impl, v in (("actorlab", 60.0), ("tuned", 100.0), ("pykka", 10.0))]
    saved.write_text(json.dumps({"machine": {"cpu": "test cpu"}, "records": records,
                                 "failures": [], "meta": {"repeats": 3, "wall_s": 12.0}}))
    assert runner.main(["--render", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "**cpu**: test cpu" in out and "median of 3 run(s)" in out
    assert "| W3 actor round trips/s vs tuned | 0.60× | 0.60× | ✅ met | — |" in out
    assert "| W3 actor round trips/s vs pykka | 6.00× | 6.00× | ✅ met | 10.00× |" in out


def _rec(workload, impl, case, **metrics):
    return {"workload": workload, "impl": impl, "cases": {case: metrics}}


def test_ratios_and_targets_follow_the_metric_direction():
    records = [
        _rec("W1", "actorlab", "actor", msg_per_s=600.0, msg_per_s_cpu=400.0),
        _rec("W1", "tuned", "actor", msg_per_s=1000.0, msg_per_s_cpu=1000.0),
        _rec("W1", "pykka", "actor", msg_per_s=100.0, msg_per_s_cpu=50.0),
        _rec("W2", "actorlab", "actor", p50_us=20.0, p99_us=40.0),
        _rec("W2", "tuned", "actor", p50_us=10.0, p99_us=20.0),
        _rec("W2", "pykka", "actor", p50_us=60.0, p99_us=80.0),
        _rec("W7", "actorlab", "idle", bytes_per_actor=4000.0),
        _rec("W8", "actorlab", "off", msg_per_s=96.0, msg_per_s_cpu=90.0),
        _rec("W8", "actorlab", "no-hooks", msg_per_s=100.0, msg_per_s_cpu=100.0),
    ]
    verdicts = {
        (v.target.text, v.target.workload, v.target.case, v.target.metric): v
        for v in report.evaluate(report.aggregate(records))
    }
    tell = verdicts[("actor-to-actor ≥ 0.5× tuned floor", "W1", "actor", "msg_per_s")]
    assert (tell.wall, tell.cpu) == (0.6, 0.4)
    assert tell.verdict == "◐ met by wall clock only"
    ask = verdicts[("ask p50 ≤ 1.5× matching floor", "W2", "actor", "p50_us")]
    assert (ask.wall, ask.cpu, ask.verdict) == (2.0, None, "❌ not met")  # twice the latency
    vs_pykka = verdicts[("≥ 4× pykka", "W2", "actor", "p50_us")]
    assert (vs_pykka.wall, vs_pykka.verdict) == (3.0, "❌ not met")  # 60 µs / 20 µs
    assert vs_pykka.ceiling == 6.0  # the tuned floor itself: 60 µs / 10 µs
    assert verdicts[("≥ 4× pykka", "W1", "actor", "msg_per_s")].verdict == "✅ met"  # 6× and 8×
    memory = verdicts[("idle actor ≤ 3 KB", "W7", "idle", "bytes_per_actor")]
    assert (memory.wall, memory.verdict) == (4000.0, "❌ not met")
    hooks = verdicts[("hooks off cost ≤ 5% vs no hooks", "W8", "off", "msg_per_s")]
    assert hooks.verdict == "◐ met by wall clock only"  # 0.96 by wall, 0.90 by CPU
    missing = verdicts[("actor-to-actor ≥ 0.5× tuned floor", "W3", "actor", "rt_per_s")]
    assert missing.verdict == "— no data"
    assert len(verdicts) == len(TARGETS)
    table = "\n".join(report.targets_table(list(verdicts.values())))
    assert "| 0.60× | 0.40× | ◐ met by wall clock only | — |" in table
    assert "| 3.91 KiB | — | ❌ not met | — |" in table


def test_median_spread_and_formatting():
    records = [_rec("W3", "tuned", "actor", rt_per_s=v) for v in (90.0, 100_000.0, 110_000.0)]
    stat = report.aggregate(records)[("W3", "tuned", "actor", "rt_per_s")]
    assert (stat.median, stat.runs) == (100_000.0, 3)
    assert report.cell(stat, "rate").startswith("100 k/s ±")
    assert report.fmt(2_500_000, "rate") == "2.5 M/s"
    assert report.fmt(12.34, "us") == "12.3 µs"
    assert report.fmt(3072, "bytes") == "3.00 KiB"


def test_answer_checks():
    expect(3, 3, "fine")
    with pytest.raises(WrongAnswer, match="W1 cell: got 4, expected 5"):
        expect(4, 5, "W1 cell")
    with pytest.raises(WrongAnswer, match="number of replies"):
        latency_metrics([1000, 2000], 3, "W2")
    m = latency_metrics(list(range(1000, 101_000, 1000)), 100, "W2")
    assert m["p50_us"] == pytest.approx(50.0, abs=1.0) and m["p99_us"] == pytest.approx(99.0, abs=1.0)
