"""Peak memory of `veille ingest` on a gzip bomb: a small .jsonl.gz holding one line of gigabytes
between two good articles.

    python benchmarks/gzip_bomb.py [--gib 2] [--keep DIR]

The bomb is built from concatenated gzip members (one stream when read), in a temporary folder.
The ingest runs as a child process with the default pipelines; its peak resident memory comes
from the kernel (wait4), and its stderr must name the line that was skipped.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLE = ("Ce lundi, des roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak, selon des "
           "sources sécuritaires irakiennes.")


def build(path: Path, gib: float) -> None:
    member = gzip.compress(b"a" * (64 << 20), compresslevel=9)
    with path.open("wb") as f:
        head = json.dumps({"doc_id": "before", "text": ARTICLE, "published": "2021-05-28"}) + '\n{"text": "'
        f.write(gzip.compress(head.encode()))
        for _ in range(int(gib * 16)):
            f.write(member)
        tail = '"}\n' + json.dumps({"doc_id": "after", "text": ARTICLE + " (2)", "published": "2021-05-28"}) + "\n"
        f.write(gzip.compress(tail.encode()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gib", type=float, default=2.0, help="length of the bomb's line in GiB (at most 16)")
    args = ap.parse_args()
    if not 0 < args.gib <= 16:
        raise SystemExit("--gib must be in (0, 16]")
    with tempfile.TemporaryDirectory(prefix="veille-bomb-") as tmp:
        bomb = Path(tmp) / "bomb.jsonl.gz"
        build(bomb, args.gib)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "veille.cli", "ingest", str(bomb), "--db", str(Path(tmp) / "b.db")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stderr = proc.stderr.read() if proc.stderr else ""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        print(json.dumps({"bomb_bytes": bomb.stat().st_size, "line_gib": args.gib, "exit_code": os.waitstatus_to_exitcode(status),
                          "peak_rss_mb": round(usage.ru_maxrss / 1024), "seconds": round(seconds, 1),
                          "stderr": stderr.strip().splitlines()}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
