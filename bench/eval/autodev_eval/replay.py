"""A stand-in model server that replays given answers instead of asking a model (`--replay FILE`): it speaks the
OpenAI-compatible API the worker and the one-shot client use (`/v1/models`, `/props`, `/v1/chat/completions`,
streamed or not), recognises the problem a request is about by its entry point, and answers with the planted code:
to the worker in the format its system message asks for (the file, or the part of a large file it was shown,
written out with the function replaced by the planted one; or a JSON edit), to the one-shot request as a
```python block. It lets a test check the pipeline and the scoring with answers whose verdict is known.

The file: {"HumanEval/2": "def truncate_number(number: float) -> float:\\n    return number % 1.0\\n", ...}.
A problem without a planted answer gets an answer that changes nothing (the worker refuses it).
"""

from __future__ import annotations

import ast
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import problems as problems_mod

MODEL_ID = "replay"


def _function_span(text: str, entry: str) -> tuple[int, int] | None:
    """0-based line span of the top-level function `entry` in `text`."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            return first - 1, node.end_lineno
    return None


def _function_source(text: str, entry: str) -> str | None:
    span = _function_span(text, entry)
    return None if span is None else "".join(text.splitlines(keepends=True)[span[0]:span[1]])


def _shown_file(user: str, filename: str) -> tuple[str, str] | None:
    """The header (`f.py`, or `f.py lines A-B` for a part of a large file) and the text of the block after it."""
    m = re.search(r"^(" + re.escape(filename) + r"(?: lines \d+-\d+)?)[^\n]*\n(`{3,})[a-z]*\n(.*?)\n\2$", user,
                  re.M | re.S)
    return (m.group(1), m.group(3) + "\n") if m else None


def _whole_answer(user: str, p, code: str) -> str:
    shown = _shown_file(user, p.filename)
    if shown is None:
        return f"SUMMARY: replayed answer for {p.task_id}\n{p.filename}\n```python\n{code.rstrip()}\n```\n"
    header, current = shown
    span = _function_span(current, p.entry_point)
    lines = current.splitlines(keepends=True)
    new = code if span is None else "".join(lines[:span[0]]) + code.rstrip() + "\n" + "".join(lines[span[1]:])
    return f"SUMMARY: replayed answer for {p.task_id}\n{header}\n```python\n{new.rstrip()}\n```\n"


class Replay:
    def __init__(self, planted: dict[str, str], problems: list[problems_mod.Problem]):
        self.by_entry = {}
        for p in problems:
            if p.task_id in planted:
                self.by_entry[p.entry_point] = (p, planted[p.task_id])
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, body: dict) -> str:
        msgs = body.get("messages") or []
        user = next((m.get("content", "") for m in msgs if m.get("role") == "user"), "")
        hit = None
        for entry, (p, code) in self.by_entry.items():
            if f"def {entry}(" in user:
                hit = (p, code)
                break
        system = " ".join(m.get("content") or "" for m in msgs if m.get("role") == "system")
        if "SUMMARY:" in system and "every function or class you change" in system:  # the worker: definitions
            if not hit:
                return "SUMMARY: nothing to change"
            p, code = hit
            return f"SUMMARY: replayed answer for {p.task_id}\n{p.filename}\n```python\n{code.rstrip()}\n```\n"
        if "SUMMARY:" in system:  # the worker, asking for whole files or parts
            return _whole_answer(user, hit[0], hit[1]) if hit else "SUMMARY: nothing to change"
        worker = "response_format" in body or "JSON object" in system
        if not worker:
            return f"```python\n{hit[1].rstrip()}\n```\n" if hit else "I cannot help with that."
        if not hit:
            return json.dumps({"summary": "nothing", "edits": []})
        p, code = hit
        marker = f"--- {p.filename}\n"
        current = user[user.rindex(marker) + len(marker):] if marker in user else ""
        search = _function_source(current, p.entry_point) or current
        return json.dumps({"summary": f"replayed answer for {p.task_id}",
                           "edits": [{"path": p.filename, "search": search, "replace": code}]})

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, code: int, obj) -> None:
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path in ("/health", "/v1/health"):
                    self._json(200, {"status": "ok"})
                elif self.path in ("/v1/models", "/models"):
                    self._json(200, {"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]})
                elif self.path == "/props":
                    self._json(200, {"default_generation_settings": {"n_ctx": 8192}, "total_slots": 1,
                                     "build_info": "autodev-eval-replay"})
                else:
                    self._json(404, {"error": {"code": 404, "message": "File Not Found"}})

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._json(400, {"error": {"code": 400, "message": "bad json"}})
                    return
                if self.path not in ("/v1/chat/completions", "/chat/completions"):
                    self._json(404, {"error": {"code": 404, "message": "File Not Found"}})
                    return
                replay.requests += 1
                text = replay.answer(body)
                prompt_chars = sum(len(m.get("content") or "") for m in body.get("messages") or [])
                usage = {"prompt_tokens": prompt_chars // 4 + 1, "completion_tokens": len(text) // 4 + 1}
                if not body.get("stream"):
                    self._json(200, {"object": "chat.completion", "model": MODEL_ID, "usage": usage, "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]})
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                chunks = [
                    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}], "model": MODEL_ID},
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "model": MODEL_ID},
                    {"choices": [], "usage": usage, "model": MODEL_ID},
                ]
                for c in chunks:
                    self.wfile.write(b"data: " + json.dumps(c).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        return Handler
