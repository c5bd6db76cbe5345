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


# --- Savina (S1–S8) and the message-path workloads (W9, W10) --------------------------------------

from bench import report_savina  # noqa: E402
from bench.common import Span, chunked_rates  # noqa: E402
from bench.savina import spec  # noqa: E402
from bench.workloads import SAVINA, SECTION_TARGETS  # noqa: E402

SAVINA_IDS = ",".join(w.id for w in SAVINA)


def _records(workloads: str, impl: str) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", workloads, impl, "--quick"],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(ln[len(RESULT_PREFIX):]) for ln in proc.stdout.splitlines()
            if ln.startswith(RESULT_PREFIX)]


@pytest.mark.parametrize("impl", ["actorlab", "tuned", "pykka", "thespian"])
def test_every_savina_benchmark_runs_and_checks_its_answer(impl):
    records = _records(SAVINA_IDS, impl)
    assert [r["workload"] for r in records] == [w.id for w in SAVINA]
    for r in records:
        assert r["impl"] == impl and set(r["cases"]) == {"actor"}
        assert r["cases"]["actor"]["ms"] > 0 and r["cases"]["actor"]["ms_cpu"] >= 0


def test_savina_answer_checks_catch_a_wrong_answer():
    p = {"actors": 10, "hops": 203}
    spec.check("S5", p, 3)  # the token's last holder: 203 % 10
    with pytest.raises(WrongAnswer, match="S5: index of the actor holding the last token"):
        spec.check("S5", p, 4)
    spec.check("S6", {"chameneos": 5, "meetings": 7}, [5, 14])  # lists compare as the tuple
    with pytest.raises(WrongAnswer, match="meetings counted"):
        spec.check("S6", {"chameneos": 5, "meetings": 7}, (5, 13))
    terms = spec.ANSWERS["S8"][1]({"series": 2, "terms": 3})
    x = spec.logmap_start(1)
    for _ in range(3):
        x = spec.logmap_next(spec.logmap_rate(1), x)
    assert terms[1] == x
    with pytest.raises(WrongAnswer, match="S2: the counter's count: got 9, expected 10"):
        spec.measure("S2", {"n": 10}, lambda p: (Span(0.1, 0.1), p["n"] - (p["n"] > 1)))


def test_quick_mode_runs_each_implementations_savina_in_one_interpreter():
    jobs = runner.plan(["W1", *(w.id for w in SAVINA)], ["actorlab", "pykka"], 1, False)
    assert runner.grouped(jobs) == [
        ("W1", "actorlab"), ("W1", "pykka"), (SAVINA_IDS, "actorlab"), (SAVINA_IDS, "pykka"),
    ]


def test_only_accepts_the_group_names(monkeypatch, capsys):
    ran = []

    def fake_group(workloads, impl, quick, timeout):
        ran.append((workloads, impl))
        return [{"workload": w, "impl": impl, "cases": {"actor": {"ms": 1.0, "ms_cpu": 1.0}}}
                for w in workloads.split(",")]

    monkeypatch.setattr(runner, "run_group", fake_group)
    assert runner.main(["--quick", "--only", "savina", "--impl", "thespian"]) == 0
    assert ran == [(SAVINA_IDS, "thespian")]
    out = capsys.readouterr().out
    assert out.startswith(report_savina.SECTION_BEGIN) and "# actorlab benchmarks" not in out


def test_a_section_only_run_replaces_just_its_section(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(f"# tables\nW1 row\n{runner.ANALYSIS_MARKER}\nkept analysis\n")
    first = f"{report_savina.SECTION_BEGIN}\nsavina v1\n{report_savina.SECTION_END}\n"
    runner.write_out(out, first, section_only=True)
    assert out.read_text() == (
        f"# tables\nW1 row\n{first}\n{runner.ANALYSIS_MARKER}\nkept analysis\n"
    )
    second = first.replace("v1", "v2")
    runner.write_out(out, second, section_only=True)
    text = out.read_text()
    assert "v1" not in text and "savina v2" in text and text.count(report_savina.SECTION_BEGIN) == 1
    assert text.startswith("# tables\nW1 row\n") and text.endswith("kept analysis\n")


def test_section_targets_and_tables():
    def savina(impl, ms):
        return _rec("S1", impl, "actor", ms=ms, ms_cpu=ms)

    records = [
        savina("actorlab", 100.0), savina("tuned", 40.0), savina("thespian", 150.0),
        savina("pykka", 400.0),
        _rec("W1", "actorlab", "cell", msg_per_s=300.0, msg_per_s_cpu=300.0),
        _rec("W1", "thread-batch", "cell", msg_per_s=1000.0, msg_per_s_cpu=500.0),
        _rec("W2", "actorlab", "cell-sync", p50_us=55.0, p99_us=80.0),
        _rec("W2", "pykka", "cell-sync", p50_us=50.0, p99_us=70.0),
        {"workload": "W9", "impl": "actorlab", "cases": {
            "first-10%": {"msg_per_s": 1000.0, "msg_per_s_cpu": 1000.0},
            "last-10%": {"msg_per_s": 500.0, "msg_per_s_cpu": 900.0},
            "all": {"msg_per_s": 700.0, "msg_per_s_cpu": 800.0, "gc_share": 0.55,
                    "gc_share_sends": 0.6, "gc_full": 3.0},
            "chunks": {"chunk-1": 1000.0, "chunk-2": 900.0, "chunk-3": 500.0},
            "full-gc-per-chunk": {"chunk-1": 0.0, "chunk-2": 1.0, "chunk-3": 2.0}}},
        {"workload": "W10", "impl": "actorlab", "cases": {
            "actor-before": {"msg_per_s": 800.0, "msg_per_s_cpu": 800.0},
            "actor-after": {"msg_per_s": 760.0, "msg_per_s_cpu": 700.0},
            "actor-control": {"ratio": 1.01}}},
    ]
    verdicts = {(v.target.workload, v.target.case, v.target.versus): v
                for v in report.evaluate(report.aggregate(records), SECTION_TARGETS)}
    floor = verdicts[("S1", "actor", "tuned")]
    assert (floor.cpu, floor.verdict) == (2.5, "❌ not met")  # 100 ms ÷ 40 ms
    assert verdicts[("S1", "actor", "thespian")].cpu == 1.5
    assert verdicts[("S1", "actor", "thespian")].verdict == "✅ met"  # faster: > 1×
    assert verdicts[("S1", "actor", "pykka")].cpu == 4.0
    cell = verdicts[("W1", "cell", "thread-batch")]
    assert (cell.wall, cell.cpu, cell.verdict) == (0.3, 0.6, "◐ met by CPU time only")
    assert verdicts[("W2", "cell-sync", "pykka")].wall == pytest.approx(1.1)
    assert verdicts[("W9", "last-10%", "case:first-10%")].verdict == "◐ met by CPU time only"
    snap = verdicts[("W10", "actor-after", "case:actor-before")]
    assert (snap.wall, snap.verdict) == (0.95, "◐ met by wall clock only")
    assert verdicts[("S2", "actor", "tuned")].verdict == "— no data"

    text = report_savina.render(records, [], {"date": "today"}, quick=False, repeats=3, wall_s=1)
    assert text.startswith(report_savina.SECTION_BEGIN) and text.rstrip().endswith(
        report_savina.SECTION_END)
    assert "| S1 pingpong | 2.50× (2.50×) | ❌ | 1.50× (1.50×) | ✅ | 4.00× (4.00×) | ✅ |" in text
    assert "| actorlab | 1 k/s | 500 /s | 0.50×, 0.90× | 700 /s | 55% | 60% | 3 |" in text
    assert "- actorlab: 1.0, 0.9*, 0.5**" in text
    assert "| actor | 800 /s | 760 /s | 0.95×, 0.88× | 1.01× |" in text
    assert "- ≤ 2.0× the floor's time: met on 0 of 1 by CPU time (range 2.50–2.50×)" in text


def test_chunked_rates_reads_the_chunks_and_the_collectors_share():
    # marks: (wall, cpu, gc seconds, full collections); 10 chunks of 10 tells, then the drain
    marks = [(float(i), float(i), 0.0, 0) for i in range(10)]
    marks += [(11.0, 11.0, 1.0, 1), (12.0, 12.0, 3.0, 2)]  # chunk 10 took 2 s; then the drain
    cases = chunked_rates(marks, 100)
    assert cases["first-10%"]["msg_per_s"] == 10.0 and cases["last-10%"]["msg_per_s"] == 5.0
    assert cases["all"]["msg_per_s"] == 100 / 12
    assert cases["all"]["gc_share"] == 3 / 12 and cases["all"]["gc_share_sends"] == 1 / 11
    assert cases["all"]["gc_full"] == 2
    assert cases["chunks"]["chunk-1"] == 10.0 and cases["chunks"]["chunk-10"] == 5.0
    assert cases["full-gc-per-chunk"] == {f"chunk-{i}": float(i == 10) for i in range(1, 11)}


@pytest.mark.parametrize(("workload", "impl"), [("W9", "actorlab"), ("W9", "tuned"),
                                                ("W10", "actorlab")])
def test_message_path_workloads_report_their_cases(workload, impl):
    (record,) = _records(workload, impl)
    assert set(record["cases"]) == set(WORKLOADS[workload].cases)
    if workload == "W9":
        assert 0 <= record["cases"]["all"]["gc_share"] < 1
    else:
        assert record["cases"]["actor-control"]["ratio"] > 0


def test_a_full_run_appends_the_section_to_the_table(tmp_path, capsys):
    saved = tmp_path / "runs.json"
    records = [_rec("W3", "tuned", "actor", rt_per_s=100.0, rt_per_s_cpu=100.0),
               _rec("S1", "actorlab", "actor", ms=10.0, ms_cpu=8.0),
               _rec("S1", "tuned", "actor", ms=5.0, ms_cpu=5.0)]
    saved.write_text(json.dumps({"machine": {"cpu": "test cpu"}, "records": records,
                                 "failures": [], "meta": {"repeats": 3, "wall_s": 12.0}}))
    assert runner.main(["--render", str(saved)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# actorlab benchmarks") and "## Targets" in out
    assert out.index("## Targets") < out.index(report_savina.SECTION_BEGIN)
    assert "| S1 pingpong | 1.60× (2.00×) | ✅ |" in out
