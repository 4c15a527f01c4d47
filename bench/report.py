"""Turn the JSON lines of bench/measure.py into a Markdown table with the machine facts."""

import json
import os
import platform
import subprocess
import sys


def machine():
    with open("/proc/meminfo") as meminfo:
        mem = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "?")
    pg = subprocess.run(["psql", "-X", "-tAc", "SHOW server_version"], capture_output=True, text=True, check=False)
    return (
        f"{os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB RAM, PostgreSQL {pg.stdout.strip() or '?'}, "
        f"Python {platform.python_version()}"
    )


def main(path, scale):
    with open(path) as results:
        rows = [json.loads(line) for line in results if line.strip()]
    print(f"# Benchmark results, scale {scale}\n\nMachine: {machine()}\n")
    print(
        "| measurement | median (s) | spread (s) | queries | heap peak (MiB) | peak RSS (MiB) | lower bound (s) "
        "| bound RSS (MiB) | ratio | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r.get("kind") == "concurrency":
            continue
        bound = f"{r['bound_s']:.3f}" if "bound_s" in r else ""
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") else ""
        target = f"<= {r['target']}" if r.get("target") else ""
        rss = f"{r['rss_mib']:.0f}" if r.get("rss_mib") else ""
        bound_rss = f"{r['bound_rss_mib']:.0f}" if r.get("bound_rss_mib") else ""
        print(
            f"| {r['name']} | {r['median_s']:.3f} | {r['spread_s']:.3f} | {r['queries']} | {r['heap_mib']:.1f} "
            f"| {rss} | {bound} | {bound_rss} | {ratio} | {target} |"
        )
    concurrency(rows)


def concurrency(rows):
    runs = [r for r in rows if r.get("kind") == "concurrency"]
    if not runs:
        return
    print(
        "\n| measurement | operations | throughput (ops/s) | invoices | redemptions | clear refusals "
        "| other errors | ledger balanced |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        print(
            f"| {r['name']} | {r['operations']} | {r['throughput']:.1f} | {r['invoices']} | {r['redemptions']} "
            f"| {r['refusals']} | {r['errors']} | {'yes' if r['ledger_balanced'] else 'NO'} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
