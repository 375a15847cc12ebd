#!/usr/bin/env python3
"""Tests of the evaluation (bench/eval), run by scripts/test.sh (AUTODEV_SKIP_EVAL=1 skips them):

- the parts: examples read from docstrings, deterministic bugs, code taken from answers, the sandbox;
- the scoring, end to end through scripts/eval.sh and the real autodev binary, with planted answers replayed
  instead of a model: a correct answer is resolved, a wrong answer that passes the docstring's examples is counted as
  "gate passed but wrong", and an answer the gate refuses is neither (and mode a retried it, mode c did not);
- the pipeline against a real model server: llama-server with SmolLM2-135M on one problem of the implement suite,
  modes a, b and c (the fix suite goes through the same code, checked with the replay): every row has the server's
  token counts, the autodev tasks end in a terminal state, the table is written.
  It asserts the pipeline, never the rate (a 135M model rarely solves anything).

Needs: the venv of scripts/ensure-eval.sh (run with its python), AUTODEV_BIN (the autodev binary), and for the last
test llama-server with SmolLM2 cached (scripts/ensure-llama-server.sh; skipped when it is not).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from autodev_eval import cli, mutate, oneshot, problems, sandbox  # noqa: E402

PROBLEMS = problems.load()
AUTODEV = os.environ.get("AUTODEV_BIN", "")


class Parts(unittest.TestCase):
    def test_problems_are_chosen_by_range_sample_or_list(self):
        parse = cli.args_parser().parse_args
        self.assertEqual(cli.choose(parse(["--range", "3-5"])), [3, 4, 5])
        drawn = cli.choose(parse(["--sample", "4"]))
        self.assertEqual(drawn, cli.choose(parse(["--sample", "4"])), "the same sample every time")
        self.assertEqual(len(drawn), 4)
        self.assertEqual(cli.choose(parse(["--problems", "65,32,33,32", "--sample", "2"])), [32, 33, 65])
        for bad in ("", "x", "200"):
            with self.assertRaises(SystemExit):
                parse(["--problems", bad])

    def test_all_164_problems_load_in_order(self):
        self.assertEqual(len(PROBLEMS), 164)
        self.assertEqual([p.index for p in PROBLEMS], list(range(164)))
        self.assertEqual(PROBLEMS[0].entry_point, "has_close_elements")

    def test_examples_in_every_docstring_form(self):
        # doctest (0), "==" (69), "➞" (72), "For s = …, the result should be" (112), "=> true" (76)
        for idx, want in ((0, 2), (69, 3), (72, 4), (112, 3), (76, 6)):
            kept, dropped = problems.visible_examples(PROBLEMS[idx])
            self.assertEqual(len(kept), want, (idx, [e.as_tuple() for e in kept]))
            self.assertEqual(dropped, [], idx)
        # HumanEval/47's docstring states 15.0 where the solution (and the hidden test) give 8.0: dropped
        kept, dropped = problems.visible_examples(PROBLEMS[47])
        self.assertEqual([e.call for e in dropped], ["median([-10, 4, 6, 1000, 10, 20])"])
        self.assertEqual(len(kept), 1)

    def test_a_candidate_chosen_over_the_first_passing_answer_is_counted(self):
        rows = [
            {"mode": "a", "outcomes": ["GATE_FAILED", "GATE_PASSED", "GATE_PASSED"],
             "reasons": ["CHECK_FAILED: ...", "chosen: 1 of 2 passing candidates ...", ""]},
            {"mode": "a", "outcomes": ["GATE_PASSED", "GATE_PASSED", "GATE_PASSED"],
             "reasons": ["", "chosen: 2 of 3 passing candidates ...", ""]},
            {"mode": "c", "outcomes": ["GATE_PASSED"], "reasons": [""]},
        ]
        self.assertEqual(cli.chosen_candidates(rows), [rows[1]])

    def test_a_result_worked_out_in_the_docstring_is_an_example(self):
        # HumanEval/67: `fruit_distribution("5 apples and 6 oranges", 19) ->19 - 5 - 6 = 8`
        kept, dropped = problems.visible_examples(PROBLEMS[67])
        self.assertEqual(dropped, [])
        self.assertIn(('fruit_distribution("5 apples and 6 oranges", 19)', "8", "value"), [e.as_tuple() for e in kept])

    def test_probes_call_the_function_next_to_the_examples_and_describe_it_the_same_way_every_run(self):
        def probe_output(idx: int, source: str) -> str:
            p = PROBLEMS[idx]
            kept, _ = problems.visible_examples(p)
            runner = f"import runpy, sys\nsys.path.insert(0, '.')\nrunpy.run_path({problems.PROBE_FILE!r}, run_name='__main__')\n"
            r = sandbox.run_python(runner, timeout=60, files={
                p.filename: source, problems.PROBE_FILE: problems.probe_file(p, kept)})
            self.assertTrue(r.ok, (idx, r.stdout[-500:], r.stderr[-500:]))
            return r.stdout

        # next to circular_shift(12, 1): three digits, where shifting right and left differ
        self.assertIn("circular_shift(127, 1)", problems.probe_calls(PROBLEMS[65], problems.visible_examples(PROBLEMS[65])[0]))
        # no example at all (decode_cyclic(s: str)): inputs by the annotation
        self.assertIn("decode_cyclic('abc')", problems.probe_calls(PROBLEMS[38], []))
        # calls the docstring wraps in round(...)
        self.assertIn("find_zero([1, 2])", problems.probe_calls(PROBLEMS[32], problems.visible_examples(PROBLEMS[32])[0]))
        for idx in (38, 65, 70):
            p = PROBLEMS[idx]
            right = probe_output(idx, p.solution())
            self.assertEqual(right, probe_output(idx, p.solution()), idx)
            self.assertEqual(len(right.splitlines()), len(problems.probe_calls(p, problems.visible_examples(p)[0])))
            self.assertNotEqual(right, probe_output(idx, p.stub()), idx)
        # a wrong shift direction that passes both documented examples shows in the probe's output
        wrong = PROBLEMS[65].prompt + "    s = str(x)\n    return s[::-1] if shift > len(s) else s[shift:] + s[:shift]\n"
        self.assertTrue(problems.run_check(PROBLEMS[65], wrong, problems.visible_examples(PROBLEMS[65])[0]).ok)
        self.assertNotEqual(probe_output(65, wrong), probe_output(65, PROBLEMS[65].solution()))

    def test_the_stub_fails_the_examples_and_the_hidden_test_the_solution_passes_both(self):
        p = PROBLEMS[2]
        kept, _ = problems.visible_examples(p)
        self.assertIn("raise NotImplementedError", p.stub())
        self.assertFalse(problems.run_check(p, p.stub(), kept).ok)
        self.assertFalse(problems.run_hidden(p, p.stub()).ok)
        self.assertTrue(problems.run_check(p, p.solution(), kept).ok)
        self.assertTrue(problems.run_hidden(p, p.solution()).ok)

    def test_bugs_are_deterministic_caught_by_the_hidden_test_and_reported_with_an_input(self):
        for idx in (2, 3, 8, 9):
            p = PROBLEMS[idx]
            kept, _ = problems.visible_examples(p)
            a, b = mutate.find_bug(p, kept), mutate.find_bug(p, kept)
            self.assertIsNotNone(a, idx)
            self.assertEqual(a.to_json(), b.to_json())
            self.assertEqual(a.mutant.kind, mutate.KINDS[idx % 4])
            self.assertFalse(problems.run_hidden(p, a.mutant.source).ok)
            self.assertIn(f"`{a.call}`", a.report(p))
            self.assertIn(a.want, a.report(p))
            self.assertNotEqual(a.mutant.source, p.solution())

    def test_code_is_taken_from_the_answers_block_and_keeps_the_problems_helpers(self):
        p = PROBLEMS[10]  # make_palindrome uses the helper is_palindrome defined in the prompt
        answer = ("Here you go:\n```python\ndef make_palindrome(string: str) -> str:\n"
                  "    for i in range(len(string)):\n        if is_palindrome(string[i:]):\n"
                  "            return string + string[:i][::-1]\n    return string\n```\nDone.")
        code = oneshot.extract_code(answer)
        self.assertTrue(code.startswith("def make_palindrome"))
        self.assertTrue(problems.run_hidden(p, oneshot.assemble(p, code)).ok)
        # a bare body is used as the body
        body = "    return number % 1.0\n"
        self.assertTrue(problems.run_hidden(PROBLEMS[2], oneshot.assemble(PROBLEMS[2], body)).ok)

    def test_the_one_shot_client_reads_both_apis(self):
        import http.server
        import threading

        seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                seen.append((self.path, body))
                if self.path == "/api/chat":  # Ollama's non-streaming answer (durations in nanoseconds)
                    answer = {"message": {"role": "assistant", "content": "```python\nx = 1\n```"},
                              "prompt_eval_count": 11, "eval_count": 7, "load_duration": 0,
                              "prompt_eval_duration": 500_000_000, "eval_duration": 1_500_000_000, "done": True}
                else:  # llama-server's: usage, and timings in milliseconds
                    answer = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 5, "completion_tokens": 3},
                              "timings": {"prompt_ms": 250.0, "predicted_ms": 750.0}}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        r = oneshot.Client("ollama", url, "m", 0.0, 64, 1, 4096).chat(oneshot.messages(PROBLEMS[2]))
        self.assertEqual((r["text"], r["prompt_tokens"], r["completion_tokens"], r["model_seconds"], r["error"]),
                         ("```python\nx = 1\n```", 11, 7, 2.0, None))
        self.assertEqual(seen[-1][1]["options"], {"temperature": 0.0, "num_predict": 64, "seed": 1, "num_ctx": 4096})
        self.assertIn("Can you complete the following Python function?", seen[-1][1]["messages"][1]["content"])
        r = oneshot.Client("openai", url, "m", 0.0, 64, 1, 4096).chat(oneshot.messages(PROBLEMS[2]))
        self.assertEqual((r["text"], r["prompt_tokens"], r["completion_tokens"], r["model_seconds"]), ("ok", 5, 3, 1.0))
        self.assertEqual(seen[-1][0], "/v1/chat/completions")
        self.assertEqual(seen[-1][1]["max_tokens"], 64)
        # a server that does not answer is reported before anything runs (GET /v1/models is not served here)
        self.assertIsNotNone(oneshot.Client("openai", url, "m", 0.0, 64, 1, 4096).reachable())
        srv.shutdown()
        srv.server_close()
        self.assertIn("Connection refused", oneshot.Client("ollama", url, "m", 0.0, 64, 1, 4096).reachable())

    def test_the_sandbox_times_out_and_keeps_the_machine(self):
        r = sandbox.run_python("while True:\n    pass\n", timeout=2)
        self.assertTrue(r.timed_out)
        if not sandbox.bwrap_available():
            self.skipTest("bubblewrap is not available: hidden tests get only limits and a temp dir")
        # the home folder is an empty tmpfs, the rest of the file system read-only, no network
        home = os.path.expanduser("~")
        for folder in (home, ROOT):
            probe = os.path.join(folder, f"autodev-eval-sandbox-probe-{os.getpid()}")
            sandbox.run_python(f"open({probe!r}, 'w').write('x')\n", timeout=10)
            self.assertFalse(os.path.exists(probe), f"a hidden test wrote into {folder}")
        r = sandbox.run_python(f"import os\nprint(sorted(os.listdir({home!r})))\n", timeout=10)
        self.assertNotIn(".cache", r.stdout)
        # a server listening on this machine's loopback is out of reach (the sandbox has its own network)
        import socket
        with socket.create_server(("127.0.0.1", 0)) as srv:
            port = srv.getsockname()[1]
            r = sandbox.run_python(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n")
        self.assertFalse(r.ok)
        self.assertIn("ConnectionRefusedError", r.stderr)


def eval_sh(test: unittest.TestCase, *args: str, timeout: float = 600) -> tuple[subprocess.CompletedProcess, str]:
    out = tempfile.mkdtemp(prefix="autodev-eval-test-")
    test.addCleanup(shutil.rmtree, out, True)
    env = dict(os.environ, AUTODEV_BIN=AUTODEV)
    p = subprocess.run([os.path.join(ROOT, "scripts", "eval.sh"), "--out", out, *args], capture_output=True,
                       text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    return p, out


def rows(out: str) -> list[dict]:
    with open(os.path.join(out, "results.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@unittest.skipUnless(AUTODEV and os.access(AUTODEV, os.X_OK), "AUTODEV_BIN (the autodev binary) is not set")
class Scoring(unittest.TestCase):
    """Planted answers, replayed: the scoring is checked against answers whose verdict is known."""

    def test_planted_answers_are_scored_right_in_every_mode_and_suite(self):
        planted = {
            # correct
            "HumanEval/2": "def truncate_number(number: float) -> float:\n    return number % 1.0\n",
            # wrong, but gives both docstring examples: passes the gate, fails the hidden test
            "HumanEval/3": "def below_zero(operations: List[int]) -> bool:\n"
                           "    return any(x < 0 for x in operations) and len(operations) > 3\n",
            # wrong, and the docstring's second example shows it: the gate refuses it every time
            "HumanEval/0": "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
                           "    return False\n",
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(planted, f)
        self.addCleanup(os.unlink, f.name)
        p, out = eval_sh(self, "--replay", f.name, "--range", "0-3", "--sample", "3", "--sample-seed", "2",
                         "--suite", "implement,fix,implement-haystack,fix-haystack", "--modes", "a,b,c", "--keep")
        self.assertEqual(p.returncode, 0, p.stderr[-4000:])
        rs = rows(out)
        by = {(r["index"], r["suite"], r["mode"]): r for r in rs}
        self.assertEqual({r["index"] for r in rs}, {0, 2, 3}, "--sample 3 --sample-seed 2 of 0-3")
        # modes a, b, c on the plain suites; a and c on the haystack suites (the one-shot prompt cannot hold them)
        self.assertEqual(len(rs), 3 * (2 * 3 + 2 * 2))
        for suite in ("implement", "fix", "implement-haystack", "fix-haystack"):
            for mode in ("ac" if suite.endswith("haystack") else "abc"):
                good, wrong, refused = by[(2, suite, mode)], by[(3, suite, mode)], by[(0, suite, mode)]
                self.assertTrue(good["resolved"] and good["gate_passed"], good)
                self.assertFalse(wrong["resolved"], wrong)
                self.assertTrue(wrong["gate_passed"], wrong)
                self.assertEqual(wrong["hidden"], "failed")
                self.assertFalse(refused["resolved"] or refused["gate_passed"], refused)
                if mode != "b":
                    # through autodev: approved and applied on autodev/<id>, the hidden test ran on that branch
                    self.assertTrue(good["applied"] and wrong["applied"] and not refused["applied"])
                    # mode a compares passing candidates by the probe: the replay's second answer is the same
                    # patch, which settles the choice at two answers; mode c is one answer
                    self.assertEqual(good["outcomes"], ["GATE_PASSED"] * (2 if mode == "a" else 1))
                    self.assertEqual(refused["state"], "failed")
                    branch = subprocess.run(
                        ["git", "branch", "--list", f"autodev/{good['task']}"], capture_output=True, text=True,
                        cwd=os.path.join(out, "work", f"{suite}-002-{mode}")).stdout
                    self.assertIn(f"autodev/{good['task']}", branch)
            # mode a retries with the gate's feedback (3 tries as shipped); mode c stops after one
            # (the replay repeats itself: the same change is not gated again)
            self.assertEqual(by[(0, suite, "a")]["outcomes"], ["GATE_FAILED", "ANSWER_REPEATED", "ANSWER_REPEATED"])
            self.assertEqual(by[(0, suite, "c")]["outcomes"], ["GATE_FAILED"])
        # the fix suite's task text reports a failing input as a user would
        self.assertIn("should return", by[(2, "fix", "a")]["work"])
        # a haystack file has thousands of lines; the applied change touches the problem's function only
        repo = os.path.join(out, "work", "implement-haystack-002-a")
        task = by[(2, "implement-haystack", "a")]["task"]
        base = subprocess.run(["git", "show", "main:truncate_number.py"], capture_output=True, text=True,
                              cwd=repo).stdout
        self.assertGreater(len(base.splitlines()), 2000)
        stat = subprocess.run(["git", "diff", "--numstat", "main", f"autodev/{task}", "--", "truncate_number.py"],
                              capture_output=True, text=True, cwd=repo).stdout.split()
        # the planted function (no docstring) replaces the stub's 10 lines; the other 3,000+ lines stay
        self.assertEqual(stat[:2], ["1", "9"], stat)
        after = subprocess.run(["git", "show", f"autodev/{task}:truncate_number.py"], capture_output=True, text=True,
                               cwd=repo).stdout
        self.assertEqual(len(after.splitlines()), len(base.splitlines()) - 8)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            table = json.load(f)["table"]
        self.assertEqual(len(table), 10)
        for t in table:
            self.assertEqual((t["problems"], t["resolved"], t["gate_passed_wrong"]), (3, 1, 1), t)
            self.assertAlmostEqual(t["resolved_pct"], 33.3)
        self.assertIn("| implement | a: autodev as shipped", p.stdout)
        self.assertIn("Command: `scripts/eval.sh --replay", p.stdout)


def smollm2_cached() -> bool:
    p = subprocess.run([os.path.join(ROOT, "scripts", "ensure-llama-server.sh"), "--print-env"],
                       capture_output=True, text=True)
    return p.returncode == 0


@unittest.skipUnless(AUTODEV and os.access(AUTODEV, os.X_OK), "AUTODEV_BIN (the autodev binary) is not set")
class RealServer(unittest.TestCase):
    def test_smollm2_one_problem_every_mode(self):
        if not smollm2_cached():
            self.skipTest("llama-server with SmolLM2-135M is not cached (scripts/ensure-llama-server.sh)")
        # Bounds that keep a 135M model's answers short (as in scripts/demo.sh and the llama e2e test).
        p, out = eval_sh(self, "--llama", "smollm2", "--range", "2-2", "--suite", "implement", "--modes", "a,b,c",
                         "--max-tokens", "160", "--autodev-max-tokens", "240", "--worker-env", "AUTODEV_MAX_EDITS=2",
                         "--worker-env", "AUTODEV_MAX_EDIT_CHARS=160", "--worker-timeout", "300")
        for r in rows(out):
            print(f"  smollm2 {r['suite']} {r['mode']}: {r.get('outcomes') or ''} {r['prompt_tokens']}+"
                  f"{r['completion_tokens']} tokens, {r['wall_seconds']} s", file=sys.stderr)
        self.assertEqual(p.returncode, 0, p.stderr[-4000:])
        rs = rows(out)
        self.assertEqual(sorted((r["suite"], r["mode"]) for r in rs), [("implement", m) for m in "abc"])
        for r in rs:
            self.assertIsNone(r.get("error"), r)
            self.assertIsInstance(r["resolved"], bool)
            self.assertGreater(r["prompt_tokens"], 0, r)
            self.assertGreater(r["completion_tokens"], 0, r)
            self.assertGreater(r["model_seconds"], 0, r)
            if r["mode"] == "b":
                self.assertEqual(r["attempts"], 1)
            else:
                self.assertIn(r["state"], ("done", "failed"), r)
                self.assertFalse(r["worker_timed_out"], r)
                self.assertGreaterEqual(r["attempts"], 1, r)
                self.assertLessEqual(r["attempts"], 1 if r["mode"] == "c" else 3, r)
                # a gate pass is always applied and scored on the branch; a refusal never is
                self.assertEqual(r["applied"], r["gate_passed"], r)
        self.assertIn("| implement | c: autodev with one answer", p.stdout)
        self.assertTrue(os.path.exists(os.path.join(out, "summary.md")))
        self.assertIn("--llama smollm2", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
