"""Modes a and c: the task through autodev as a user runs it — a git repository with the problem's file and the
visible check in `.autodev_ssot/gate.toml`, `autodev init`, `autodev submit`, `autodev worker --once` against the
model server, then, when the gate passed, `autodev approve` and `autodev apply`; the file is read back from branch
`autodev/<id>` and scored by the hidden test."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time

from . import problems

GIT_ID = ["-c", "user.name=autodev-eval", "-c", "user.email=eval@autodev.invalid", "-c", "commit.gpgsign=false"]

# Variables of the caller's shell that would point the worker elsewhere; the evaluation sets what it needs.
_DROP_ENV = ("AUTODEV_QUEUE", "OLLAMA_HOST", "OLLAMA_MODEL", "OLLAMA_FALLBACK_MODEL", "AUTODEV_BACKEND",
             "AUTODEV_MODEL_TRIES", "AUTODEV_TEMPERATURE", "AUTODEV_SEED", "AUTODEV_MAX_TOKENS", "AUTODEV_NUM_CTX",
             "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")


@dataclasses.dataclass
class Settings:
    autodev: str  # the binary
    backend: str  # "openai" or "ollama"
    url: str
    model: str
    num_ctx: int
    temperature: float
    seed: int
    max_tokens: int | None
    worker_timeout: float  # seconds for one `autodev worker --once`
    extra_env: dict[str, str] = dataclasses.field(default_factory=dict)


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", *GIT_ID, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _env(settings: Settings, tries: int | None, cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env.update({
        "AUTODEV_NUM_CTX": str(settings.num_ctx),
        "AUTODEV_TEMPERATURE": str(settings.temperature),
        "AUTODEV_SEED": str(settings.seed),
        # The gate's checkouts of these throwaway repositories go with the run's work folder.
        "AUTODEV_CACHE": cache,
        "NO_COLOR": "1",
    })
    if settings.max_tokens:
        env["AUTODEV_MAX_TOKENS"] = str(settings.max_tokens)
    if tries is not None:
        env["AUTODEV_MODEL_TRIES"] = str(tries)
        if tries == 1:
            # Mode c is the first answer alone: no extra candidates either.
            env["AUTODEV_CANDIDATES"] = "1"
    env.update(settings.extra_env)
    return env


def make_repo(path: str, problem: problems.Problem, source: str, examples: list[problems.Example]) -> None:
    """A git repository with the problem's file and the check, on branch main, one commit."""
    os.makedirs(path)
    with open(os.path.join(path, problem.filename), "w", encoding="utf-8") as f:
        f.write(source)
    with open(os.path.join(path, problems.CHECK_FILE), "w", encoding="utf-8") as f:
        f.write(problems.check_file(problem, examples))
    with open(os.path.join(path, problems.PROBE_FILE), "w", encoding="utf-8") as f:
        f.write(problems.probe_file(problem, examples))
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-qm", f"{problem.task_id}: {problem.entry_point}")


def run(settings: Settings, repo: str, problem: problems.Problem, source: str, examples: list[problems.Example],
        intent: str, work: str, tries: int | None, cache: str) -> dict:
    """One task through autodev. Returns the row's facts: state, attempts, tokens, model seconds, whether the gate
    passed, whether the patch was applied, the file on the branch (or None)."""
    t0 = time.monotonic()
    make_repo(repo, problem, source, examples)
    env = _env(settings, tries, cache)

    def autodev(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([settings.autodev, *args], cwd=repo, env=env, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise RuntimeError(f"autodev {' '.join(args)} exited {p.returncode}: {p.stderr.strip()[-2000:]}")
        return p

    autodev("init")
    with open(os.path.join(repo, ".autodev_ssot", "gate.toml"), "w", encoding="utf-8") as f:
        f.write(problems.GATE_TOML.format(check=problems.CHECK_FILE, probe=problems.PROBE_FILE))
    _git(repo, "add", ".autodev_ssot")
    _git(repo, "commit", "-qm", "autodev policy and the visible check")
    task_id = autodev("submit", "--intent", intent, "--target", problem.filename, "--work", work).stdout.strip()

    worker = [settings.autodev, "worker", "--once", "--no-listen", "--backend", settings.backend, "--host", settings.url,
              "--model", settings.model]
    w0 = time.monotonic()
    timed_out = False
    log = os.path.join(os.path.dirname(repo), os.path.basename(repo) + ".worker.log")
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(worker, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=settings.worker_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.terminate()  # SIGTERM: the worker gives the task back and exits
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    worker_seconds = time.monotonic() - w0

    status = json.loads(autodev("status", task_id, "--json").stdout)
    state = status.get("state", "?")
    report_path = os.path.join(repo, ".autodev_queue", "results", f"{task_id}.report.json")
    report = {}
    if os.path.exists(report_path):
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    attempts = report.get("attempts", [])
    row = {
        "task": task_id,
        "state": state,
        "worker_exit": None if timed_out else proc.returncode,
        "worker_timed_out": timed_out,
        "worker_seconds": round(worker_seconds, 1),
        "attempts": len(attempts),
        "outcomes": [a.get("outcome") for a in attempts],
        # why each try was refused (the first reason, clipped): what to read when a mode does badly
        "reasons": [(a.get("reasons") or [""])[0][:600] for a in attempts],
        "prompt_tokens": sum(a.get("prompt_tokens", 0) for a in attempts),
        "completion_tokens": sum(a.get("completion_tokens", 0) for a in attempts),
        "model_seconds": round(sum(a.get("load_seconds", 0) + a.get("prompt_seconds", 0)
                                   + a.get("generation_seconds", 0) for a in attempts), 2),
        "gate_passed": state == "done" and report.get("gate_verdict") == "PASS",
        "applied": False,
        "failure": status.get("failure_reason"),
    }
    final = None
    if row["gate_passed"]:
        autodev("approve", task_id, "--by", "autodev-eval")
        autodev("apply", task_id)
        final = _git(repo, "show", f"autodev/{task_id}:{problem.filename}")
        row["applied"] = True
    row["seconds"] = round(time.monotonic() - t0, 1)
    row["final_source"] = final
    return row
