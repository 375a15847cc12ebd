#!/usr/bin/env python3
"""Tokens/s of a running llama-server, by its own measure (the `timings` of /v1/chat/completions).

    python3 bench/llama_speed.py --url http://127.0.0.1:PORT [--runs 3] [--prompt-lines 80] [--max-tokens 128]

Each run sends a fresh prompt (a numbered block of Python code, different per run, and `cache_prompt: false`, so no
prefix is reused) and asks for exactly --max-tokens tokens (`ignore_eos`), non-streaming, temperature 0. One warm-up
run first. Prints a Markdown table (one row per run and the medians) on standard output; stdlib only.
"""
import argparse
import json
import statistics
import time
import urllib.request


def prompt(run: int, lines: int) -> str:
    code = "\n".join(
        f"def check_{run}_{i}(value):\n    if value > {i * 7 + run}:\n        return value - {i}\n    return None\n"
        for i in range(lines // 4)
    )
    return f"Run {run}. Explain what the following Python code does, function by function.\n\n{code}"


def ask(url: str, run: int, lines: int, max_tokens: int) -> dict:
    body = {
        "messages": [{"role": "user", "content": prompt(run, lines)}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "ignore_eos": True,
        "cache_prompt": False,
        "stream": False,
    }
    req = urllib.request.Request(
        url.rstrip("/") + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=900) as r:
        answer = json.load(r)
    wall = time.monotonic() - t0
    t = answer["timings"]
    return {
        "prompt_n": t["prompt_n"],
        "prompt_tps": t["prompt_per_second"],
        "gen_n": t["predicted_n"],
        "gen_tps": t["predicted_per_second"],
        "wall": wall,
        "model": answer.get("model", "?"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--prompt-lines", type=int, default=80)
    ap.add_argument("--max-tokens", type=int, default=128)
    a = ap.parse_args()
    ask(a.url, 0, 8, 8)  # warm-up: loads the weights into memory
    rows = [ask(a.url, run, a.prompt_lines, a.max_tokens) for run in range(1, a.runs + 1)]
    print(f"Model `{rows[0]['model']}`; {a.runs} runs after a warm-up, medians last.\n")
    print("| run | prompt tokens | prompt tokens/s | generated tokens | generation tokens/s | wall s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for i, r in enumerate(rows, start=1):
        print(f"| {i} | {r['prompt_n']} | {r['prompt_tps']:.1f} | {r['gen_n']} | {r['gen_tps']:.1f} | {r['wall']:.1f} |")
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    print(
        f"| **median** | {med('prompt_n'):.0f} | **{med('prompt_tps'):.1f}** | {med('gen_n'):.0f} "
        f"| **{med('gen_tps'):.1f}** | {med('wall'):.1f} |"
    )


if __name__ == "__main__":
    main()
