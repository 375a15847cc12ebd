"""The haystack variants: the problem's file placed among 150 other functions in one file of 2,000+ lines, as a
request about one function in a large real file looks. The other functions are other HumanEval problems' prompts
with their canonical solutions (valid, importable Python), chosen deterministically and never defining a name the
problem's own file defines, so the visible check and the hidden test import and call the same function as in the
plain suite. The problem's own file sits in the middle."""

from __future__ import annotations

import ast
import random

from . import problems as problems_mod

OTHERS = 150
MIN_LINES = 2000


def top_level_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def embed(problem: problems_mod.Problem, source: str, all_problems: list[problems_mod.Problem]) -> str:
    """`source` (the problem's starting file) among `OTHERS` other problems' solutions; at least `MIN_LINES`
    lines (the others are taken again, renamed, when they are too short; never the case with HumanEval)."""
    taken = set(top_level_names(source)) | {problem.entry_point}
    rng = random.Random(problem.index)
    order = [p for p in all_problems if p.index != problem.index]
    rng.shuffle(order)
    chunks = []
    for other in order:
        if len(chunks) == OTHERS:
            break
        code = other.solution().rstrip() + "\n"
        names = top_level_names(code)
        if not names or names & taken:
            continue
        taken |= names
        chunks.append(code)
    middle = len(chunks) // 2
    parts = chunks[:middle] + [source.rstrip() + "\n"] + chunks[middle:]
    text = "\n\n".join(parts)
    if len(text.splitlines()) < MIN_LINES:
        raise ValueError(f"haystack for {problem.task_id} has only {len(text.splitlines())} lines")
    return text
