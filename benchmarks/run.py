"""`make bench`: run every benchmark script in turn and write what they printed to docs/performance.md."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = [
    "bench_core", "bench_agents", "bench_hook", "bench_health", "bench_web", "bench_chat", "bench_proactive",
    "bench_metrics", "bench_otlp", "bench_load",
]  # fmt: skip


def main() -> None:
    names = sys.argv[1:] or [n for n in ORDER if (ROOT / "benchmarks" / f"{n}.py").exists()]
    sections: list[str] = []
    for name in names:
        print(f"== {name}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=ROOT, capture_output=True, text=True)
        output = result.stdout.strip()
        if result.returncode != 0:
            output += f"\n\n_{name} failed (exit {result.returncode}):_\n\n```\n{result.stderr.strip()[-1500:]}\n```"
        print(output, flush=True)
        sections.append(output)
    header = [
        "# Performance",
        "",
        "Written by `make bench` (`benchmarks/run.py`); every figure below was measured in that run, on this machine:",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. The machine is shared, so ratios against a baseline measured in the",
        "same run mean more than absolute numbers.",
        "",
    ]
    (ROOT / "docs" / "performance.md").write_text("\n".join(header) + "\n" + "\n\n".join(sections) + "\n")


if __name__ == "__main__":
    main()
