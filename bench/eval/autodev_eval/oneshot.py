"""Mode b: one request with the plain instruction prompt Qwen2.5-Coder's publishers use for HumanEval, the code
taken from the answer's code block.

The prompt is the one in QwenLM/Qwen2.5-Coder, qwencoder-eval/instruct/eval_plus (`get_prompt` and `system_str`):
the system message "You are an intelligent programming assistant to produce Python algorithmic solutions" and the
user message "Can you complete the following Python function?" followed by the problem's signature and docstring in
a ```python block, greedy decoding. Their harness also starts the assistant's answer with "```python\\n"; a chat API
(Ollama's, or an OpenAI-compatible server's) is not guaranteed to continue a started assistant message, so here the
model opens the block itself. The code is the first ```python block of the answer (else the first ``` block, else
the whole answer); it is appended to the stub file (so the problem's imports and helper functions stay defined and
the answer's definition replaces the stub), or, when it does not define the entry point, used as the body.
"""

from __future__ import annotations

import ast
import json
import re
import time
import urllib.error
import urllib.request

from . import problems

SYSTEM = "You are an intelligent programming assistant to produce Python algorithmic solutions"
USER = "Can you complete the following Python function?\n```python\n{prompt}\n```"


def messages(problem: problems.Problem, text: str | None = None) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": USER.format(prompt=(text or problem.prompt).strip())},
    ]


def extract_code(answer: str) -> str:
    blocks = re.findall(r"```[ \t]*(\w*)[^\n]*\n(.*?)(?:```|\Z)", answer, re.S)
    for lang, code in blocks:
        if lang.lower() in ("python", "py", "python3"):
            return code
    if blocks:
        return blocks[0][1]
    return answer


def assemble(problem: problems.Problem, code: str, start: str | None = None) -> str:
    """The file the answer makes: the starting file, then the answer's code (a full definition), or the starting
    prompt with the answer as the body (a bare body)."""
    base = start if start is not None else problem.stub()
    try:
        tree = ast.parse(code)
        defines = any(isinstance(n, ast.FunctionDef) and n.name == problem.entry_point for n in ast.walk(tree))
    except SyntaxError:
        defines = f"def {problem.entry_point}(" in code
    if defines:
        return base.rstrip() + "\n\n\n" + code.strip() + "\n"
    body = code if code.startswith((" ", "\t")) else "".join("    " + line for line in code.splitlines(True))
    return problem.prompt + body.rstrip() + "\n"


class Client:
    """One chat request to an OpenAI-compatible server (`/v1/chat/completions`) or Ollama (`/api/chat`)."""

    def __init__(self, backend: str, url: str, model: str, temperature: float, max_tokens: int, seed: int,
                 num_ctx: int, timeout: float = 1800):
        self.backend, self.url, self.model = backend, url.rstrip("/"), model
        self.temperature, self.max_tokens, self.seed, self.num_ctx = temperature, max_tokens, seed, num_ctx
        self.timeout = timeout

    def reachable(self) -> str | None:
        """None when the server answers its model list (Ollama `/api/tags`, else `/v1/models`), else why not."""
        path = "/api/tags" if self.backend == "ollama" else "/v1/models"
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                r.read()
            return None
        except (urllib.error.URLError, OSError, ValueError) as e:
            return f"{self.url}{path}: {e}"

    def chat(self, msgs: list[dict]) -> dict:
        """{"text", "prompt_tokens", "completion_tokens", "model_seconds", "wall_seconds", "error"}"""
        if self.backend == "ollama":
            path = "/api/chat"
            body = {
                "model": self.model, "messages": msgs, "stream": False,
                "options": {"temperature": self.temperature, "num_predict": self.max_tokens, "seed": self.seed,
                            "num_ctx": self.num_ctx},
            }
        else:
            path = "/v1/chat/completions"
            body = {"model": self.model, "messages": msgs, "stream": False, "temperature": self.temperature,
                    "max_tokens": self.max_tokens, "seed": self.seed}
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                answer = json.load(r)
        except (urllib.error.URLError, OSError, ValueError) as e:
            return {"text": "", "prompt_tokens": 0, "completion_tokens": 0, "model_seconds": 0.0,
                    "wall_seconds": time.monotonic() - t0, "error": str(e)}
        wall = time.monotonic() - t0
        if self.backend == "ollama":
            ns = sum(answer.get(k, 0) or 0 for k in ("load_duration", "prompt_eval_duration", "eval_duration"))
            return {"text": answer.get("message", {}).get("content", ""),
                    "prompt_tokens": answer.get("prompt_eval_count", 0) or 0,
                    "completion_tokens": answer.get("eval_count", 0) or 0,
                    "model_seconds": ns / 1e9 if ns else wall, "wall_seconds": wall, "error": None}
        usage = answer.get("usage") or {}
        timings = answer.get("timings") or {}
        ms = (timings.get("prompt_ms") or 0) + (timings.get("predicted_ms") or 0)
        choices = answer.get("choices") or [{}]
        return {"text": (choices[0].get("message") or {}).get("content") or "",
                "prompt_tokens": usage.get("prompt_tokens", 0) or 0,
                "completion_tokens": usage.get("completion_tokens", 0) or 0,
                "model_seconds": ms / 1000 if ms else wall, "wall_seconds": wall, "error": None}
