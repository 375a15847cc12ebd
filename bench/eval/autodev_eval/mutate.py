"""The fix suite: one bug injected into a problem's canonical solution by a deterministic mutation, reported the
way a user would report it (an input, what it gives, what it should give).

Mutations (inside the entry point's body, never its docstring), by kind:

- off-by-one: an integer constant n becomes n + 1 or n - 1; `<` ↔ `<=`, `>` ↔ `>=`
- flipped comparison: `<` ↔ `>`, `<=` ↔ `>=`, `==` ↔ `!=`, `in` ↔ `not in`, `is` ↔ `is not`; `not x` → `x`
- wrong operator: `+` → `-`, `-` → `+`, `*` → `+`, `/` → `*`, `//` → `/`, `%` → `//`, `**` → `*` (also in
  `x += …`); `and` ↔ `or`
- dropped condition: one operand of `a and b` / `a or b` dropped; a comprehension's `if` dropped; a guard
  (`if c: return …` / `continue` / `break` without `else`) dropped

Problem i starts with kind i mod 4 and goes on to the next kinds; within a kind, sites in source order. The first
mutant that compiles, makes the problem's hidden test fail (not by running out of time), and gives a wrong answer on
an input we can report is the problem's bug. The input comes from the docstring's examples first, then from the
hidden test's `assert candidate(...) == ...` lines (a user who found the bug knows one failing input; the rest of
the hidden test stays hidden). Everything here is a pure function of the problem: the same bug every run.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json

from . import problems, sandbox

KINDS = ["off-by-one", "flipped comparison", "wrong operator", "dropped condition"]

_BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_FLIP = {
    ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_OPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
    ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
    ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**", ast.And: "and", ast.Or: "or",
}


@dataclasses.dataclass
class Mutant:
    kind: str
    description: str  # e.g. "`<` became `<=` on line 7"
    source: str  # the whole file with the bug


@dataclasses.dataclass
class Bug:
    mutant: Mutant
    call: str  # the failing input, as a call
    want: str  # repr of the right answer
    got: str  # repr of the buggy answer, or "raises TypeError: ..."
    raised: bool
    source_of_input: str  # "docstring example" or "hidden test"

    def report(self, problem: problems.Problem) -> str:
        """The task text, as a user would write it."""
        if self.raised:
            what = f"`{self.call}` raises {self.got}, but it should return `{self.want}`."
        else:
            what = f"`{self.call}` returns `{self.got}`, but it should return `{self.want}`."
        return f"`{problem.entry_point}` in {problem.filename} gives a wrong answer: {what} Fix the bug."

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        return d

    @staticmethod
    def from_json(d: dict) -> "Bug":
        d = dict(d)
        d["mutant"] = Mutant(**d["mutant"])
        return Bug(**d)


def _function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _body_nodes(fn: ast.FunctionDef) -> list[ast.AST]:
    """Every node inside the function's body except its docstring, in source order."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    nodes = []
    for stmt in body:
        nodes.extend(ast.walk(stmt))
    return sorted((n for n in nodes if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset))


def _offset(lines: list[str], line: int, col: int) -> int:
    """Character offset of (1-based line, UTF-8 byte column) in the text split into `lines` (keepends)."""
    return sum(len(x) for x in lines[: line - 1]) + len(lines[line - 1].encode()[:col].decode(errors="replace"))


def _replace(source: str, node: ast.AST, text: str) -> str:
    lines = source.splitlines(keepends=True)
    start = _offset(lines, node.lineno, node.col_offset)
    end = _offset(lines, node.end_lineno, node.end_col_offset)
    return source[:start] + text + source[end:]


def _candidates(source: str, entry: str) -> list[tuple[str, str, ast.AST, ast.AST | None, str]]:
    """(kind, description, node, replacement node or None to delete the statement, expected dump) per site."""
    tree = ast.parse(source)
    fn = _function(tree, entry)
    if fn is None:
        return []
    out = []
    for node in _body_nodes(fn):
        line = node.lineno
        if isinstance(node, ast.Constant) and type(node.value) is int:
            for delta in (1, -1):
                new = ast.Constant(node.value + delta)
                out.append(("off-by-one", f"the constant {node.value} became {node.value + delta} on line {line}",
                            node, new))
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for kind, table in (("off-by-one", _BOUNDARY), ("flipped comparison", _FLIP)):
                    if type(op) in table:
                        new = copy.deepcopy(node)
                        new.ops[i] = table[type(op)]()
                        out.append((kind, f"`{_SYMBOL[type(op)]}` became `{_SYMBOL[table[type(op)]]}` on line {line}",
                                    node, new))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(("flipped comparison", f"a `not` was dropped on line {line}", node, node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            new = copy.deepcopy(node)
            new.op = _OPS[type(node.op)]()
            out.append(("wrong operator", f"`{_SYMBOL[type(node.op)]}` became `{_SYMBOL[type(new.op)]}` on line {line}",
                        node, new))
        if isinstance(node, ast.AugAssign) and type(node.op) in _OPS:
            new = copy.deepcopy(node)
            new.op = _OPS[type(node.op)]()
            out.append(("wrong operator",
                        f"`{_SYMBOL[type(node.op)]}=` became `{_SYMBOL[type(new.op)]}=` on line {line}", node, new))
        if isinstance(node, ast.BoolOp):
            new = copy.deepcopy(node)
            new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            out.append(("wrong operator", f"`{_SYMBOL[type(node.op)]}` became `{_SYMBOL[type(new.op)]}` on line {line}",
                        node, new))
            for i in range(len(node.values)):
                rest = [copy.deepcopy(v) for j, v in enumerate(node.values) if j != i]
                new = rest[0] if len(rest) == 1 else ast.BoolOp(op=copy.deepcopy(node.op), values=rest)
                out.append(("dropped condition", f"one condition of a `{_SYMBOL[type(node.op)]}` was dropped on line {line}",
                            node, new))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gi, gen in enumerate(node.generators):
                for ii in range(len(gen.ifs)):
                    new = copy.deepcopy(node)
                    del new.generators[gi].ifs[ii]
                    out.append(("dropped condition", f"a comprehension's `if` was dropped on line {line}", node, new))
        if isinstance(node, ast.If) and not node.orelse and len(node.body) == 1 \
                and isinstance(node.body[0], (ast.Return, ast.Continue, ast.Break)):
            out.append(("dropped condition", f"the guard `if …: {type(node.body[0]).__name__.lower()}` on line {line} "
                        "was dropped", node, None))
    return out


def _apply(source: str, entry: str, node: ast.AST, new: ast.AST | None) -> str | None:
    """The source with `node` replaced by `new` (or, for None, its statement lines deleted), as a minimal text
    edit; None when the edited text does not parse to exactly the intended tree."""
    tree = ast.parse(source)
    # the intended tree: the same replacement made on the AST
    class Swap(ast.NodeTransformer):
        def generic_visit(self, n):
            for field, value in ast.iter_fields(n):
                if isinstance(value, list):
                    items = []
                    for item in value:
                        if _same_place(item, node):
                            if new is not None:
                                items.append(new)
                        elif isinstance(item, ast.AST):
                            items.append(self.visit(item))
                        else:
                            items.append(item)
                    setattr(n, field, items)
                elif isinstance(value, ast.AST):
                    setattr(n, field, new if _same_place(value, node) else self.visit(value))
            return n

    want = ast.dump(Swap().visit(copy.deepcopy(tree)))
    if new is None:
        lines = source.splitlines(keepends=True)
        text = "".join(lines[: node.lineno - 1] + lines[node.end_lineno:])
        candidates = [text]
    else:
        piece = ast.unparse(new)
        candidates = [_replace(source, node, piece), _replace(source, node, f"({piece})")]
    for text in candidates:
        try:
            if ast.dump(ast.parse(text)) == want:
                return text
        except SyntaxError:
            continue
    return None


def _same_place(a, b) -> bool:
    return (
        isinstance(a, ast.AST) and type(a) is type(b) and getattr(a, "lineno", None) == b.lineno
        and getattr(a, "col_offset", None) == b.col_offset and getattr(a, "end_lineno", None) == b.end_lineno
        and getattr(a, "end_col_offset", None) == b.end_col_offset
    )


def mutants(problem: problems.Problem) -> list[Mutant]:
    """Every mutant of the canonical solution, in the order they are tried (see the module's doc)."""
    source = problem.solution()
    cands = _candidates(source, problem.entry_point)
    start = problem.index % len(KINDS)
    order = KINDS[start:] + KINDS[:start]
    out = []
    seen = set()
    for kind in order:
        for k, desc, node, new in cands:
            if k != kind:
                continue
            text = _apply(source, problem.entry_point, node, new)
            if text is None or text == source or text in seen:
                continue
            seen.add(text)
            out.append(Mutant(kind, desc, text))
    return out


def hidden_calls(problem: problems.Problem) -> list[str]:
    """The calls in the hidden test's `assert candidate(...) == …` / `assert candidate(...)` / `assert not
    candidate(...)` lines, with `candidate` renamed to the entry point."""
    try:
        tree = ast.parse(problem.test)
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        t = node.test
        if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not):
            t = t.operand
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq):
            t = t.left
        if isinstance(t, ast.Call) and isinstance(t.func, ast.Name) and t.func.id == "candidate":
            seg = ast.get_source_segment(problem.test, t)
            if seg and "\n" not in seg:
                calls.append(problem.entry_point + seg[len("candidate"):])
    return calls


_DIFF_SCRIPT = r'''
import json, math, signal, sys
sys.path.insert(0, ".")
import good, bad

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
    raise TimeoutError("timed out")

signal.signal(signal.SIGALRM, timeout)
for call, origin in json.load(open("calls.json")):
    signal.alarm(5)
    try:
        want = eval(call, vars(good))
    except BaseException:
        signal.alarm(0)
        continue
    signal.alarm(0)
    signal.alarm(5)
    try:
        got = eval(call, vars(bad))
        raised = None
    except TimeoutError:
        signal.alarm(0)
        continue
    except BaseException as e:
        raised = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    signal.alarm(0)
    if raised is None and same(got, want):
        continue
    w, g = repr(want), (raised if raised else repr(got))
    if len(call) > 200 or len(w) > 200 or len(g) > 200:
        continue
    print(json.dumps({"call": call, "want": w, "got": g, "raised": raised is not None, "origin": origin}))
    break
'''


def find_bug(problem: problems.Problem, examples: list[problems.Example], max_tries: int = 40) -> Bug | None:
    """The problem's bug (see the module's doc), or None when no mutant qualifies."""
    calls = [(e.call, "docstring example") for e in examples] + [(c, "hidden test") for c in hidden_calls(problem)]
    if not calls:
        return None
    for n, m in enumerate(mutants(problem)):
        if n >= max_tries:
            break
        hidden = problems.run_hidden(problem, m.source, timeout=10)
        if hidden.ok or hidden.timed_out:
            continue  # the hidden test does not catch it, or it hangs
        res = sandbox.run_python(
            _DIFF_SCRIPT, timeout=30,
            files={"good.py": problem.solution(), "bad.py": m.source, "calls.json": json.dumps(calls)},
        )
        line = res.stdout.strip().splitlines()[-1:] if res.ok else []
        if not line:
            continue
        d = json.loads(line[0])
        return Bug(m, d["call"], d["want"], d["got"], d["raised"], d["origin"])
    return None
