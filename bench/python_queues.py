#!/usr/bin/env python3
"""Drives PyPI disk queues with the workload of crates/queue-core/benches/claim_throughput.rs.

N items (600-byte payloads) are put by a producer (not timed); then P processes, released together, each
loop get + ack/done until the queue is empty. Prints one JSON object per run on stdout:
{"lib", "procs", "tasks", "secs", "tasks_per_s", "handled", "unique", "durable"}.

`handled` counts every get a process completed; `unique` the distinct items. handled > unique means the
library gave the same item to two processes (it is not safe across processes).

Usage: python_queues.py --lib LIB --procs P --tasks N --dir DIR   (LIB: see LIBS below)
Run by `cargo bench -p queue-core --bench claim_throughput` when BENCH_PY is set (see scripts/bench.sh).
"""
import argparse
import json
import multiprocessing as mp
import os
import shutil
import sqlite3
import time

PAYLOAD = "x" * 600

# name -> (description of the durability setting, supports several processes)
LIBS = {
    "litequeue-full": ("SQLite WAL, PRAGMA synchronous=FULL set by us (fsync per commit)", True),
    "litequeue": ("library default: SQLite WAL, synchronous=NORMAL (no fsync per commit; not durable on power loss)", True),
    "persist-queue-sqlack": ("SQLiteAckQueue, auto_commit=True, WAL, SQLite's default synchronous=FULL", True),
    "persist-queue-file": ("file Queue, autosave=True (fsync per put/get bookkeeping); one process only: not process-safe", False),
    "dirq": ("QueueSimple: no fsync option (not durable)", True),
}


def open_queue(lib, path):
    if lib.startswith("litequeue"):
        import litequeue

        q = litequeue.LiteQueue(os.path.join(path, "q.sqlite3"))
        if lib == "litequeue-full":
            q.conn.execute("PRAGMA synchronous = FULL;")
        return q
    if lib == "persist-queue-sqlack":
        import persistqueue

        return persistqueue.SQLiteAckQueue(path, auto_commit=True, multithreading=False, timeout=60)
    if lib == "persist-queue-file":
        import persistqueue

        return persistqueue.Queue(os.path.join(path, "fq"), autosave=True)
    if lib == "dirq":
        from dirq.QueueSimple import QueueSimple

        return QueueSimple(os.path.join(path, "dq"))
    raise SystemExit(f"unknown lib {lib}")


def fill(lib, path, n):
    q = open_queue(lib, path)
    for i in range(n):
        data = f"{i}:{PAYLOAD}"
        if lib.startswith("litequeue"):
            q.put(data)
        elif lib.startswith("persist-queue"):
            q.put(data)
        else:
            q.add(data)
    if lib == "persist-queue-file":
        del q


def retry(f):
    while True:
        try:
            return f()
        except sqlite3.OperationalError as e:  # "database is locked" under contention
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.001)


def consume(lib, path, ready, go, out):
    seen = []
    try:
        _consume(lib, path, ready, go, seen)
    finally:
        out.put(seen)


def _consume(lib, path, ready, go, seen):
    q = open_queue(lib, path)
    ready.put(1)
    go.wait()
    if lib.startswith("litequeue"):
        while True:
            m = retry(q.pop)
            if m is None:
                break
            retry(lambda: q.done(m.message_id))
            seen.append(m.data.split(":", 1)[0])
    elif lib.startswith("persist-queue"):
        from persistqueue import Empty
    if lib == "persist-queue-sqlack":
        while True:
            try:
                item = retry(lambda: q.get(block=False, raw=True))
            except Empty:
                break
            retry(lambda: q.ack(id=item["pqid"]))
            seen.append(item["data"].split(":", 1)[0])
    elif lib == "persist-queue-file":
        while True:
            try:
                item = q.get(block=False)
            except Empty:
                break
            q.task_done()
            seen.append(item.split(":", 1)[0])
    elif lib == "dirq":
        while True:
            got = 0
            for name in q:
                if q.lock(name):
                    data = q.get(name).decode()
                    q.remove(name)
                    seen.append(data.split(":", 1)[0])
                    got += 1
            if got == 0 and q.count() == 0:
                break


def run(lib, procs, tasks, base):
    path = os.path.join(base, f"{lib}-{procs}")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    fill(lib, path, tasks)
    ctx = mp.get_context("fork")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    ps = [ctx.Process(target=consume, args=(lib, path, ready, go, out)) for _ in range(procs)]
    for p in ps:
        p.start()
    for _ in ps:
        ready.get(timeout=120)
    start = time.perf_counter()
    go.set()
    results = [out.get(timeout=1800) for _ in ps]
    for p in ps:
        p.join()
    secs = time.perf_counter() - start
    handled = sum(len(r) for r in results)
    unique = len({x for r in results for x in r})
    shutil.rmtree(path, ignore_errors=True)
    return {
        "lib": lib,
        "procs": procs,
        "tasks": tasks,
        "secs": secs,
        "tasks_per_s": unique / secs,
        "handled": handled,
        "unique": unique,
        "durable": LIBS[lib][0],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True, choices=sorted(LIBS))
    ap.add_argument("--procs", type=int, required=True)
    ap.add_argument("--tasks", type=int, required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    if a.procs > 1 and not LIBS[a.lib][1]:
        print(json.dumps({"lib": a.lib, "procs": a.procs, "skipped": "not process-safe"}))
        return
    print(json.dumps(run(a.lib, a.procs, a.tasks, a.dir)), flush=True)


if __name__ == "__main__":
    main()
