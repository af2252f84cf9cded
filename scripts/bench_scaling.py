"""Driver of scripts/bench-scaling: does the work grow linearly with the
input where it should? Three workloads, each at three sizes that double,
with wall time and peak memory of the whole `sanc` process:

- `sanc check` of a rule set of N one-line caps (20k, 40k, 80k): the lints
  that compare rules with rules must not be quadratic;
- `sanc eval` printing N findings (100k, 200k, 300k), human and JSON: every
  shipment over a rolling cap;
- `sanc eval` of N rejected NDJSON lines (150k, 300k, 600k), human and JSON.

Linear growth shows as a time per item that stays flat from one size to the
next (the `per item` column) and a ratio of about 2 per doubling."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

SANC = "target/release/sanc"
RUNS = int(os.environ.get("RUNS", "3"))


def measure(cmd):
    """Median wall time and the largest peak RSS over RUNS runs. wait4 gives
    this child's own peak memory, not the maximum of all children."""
    walls, peaks, codes = [], [], set()
    for _ in range(RUNS):
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - t)
        peaks.append(ru.ru_maxrss / 1024)
        codes.add(os.waitstatus_to_exitcode(status))
    return statistics.median(walls), max(peaks), codes


def caps_file(d, n):
    path = os.path.join(d, f"caps{n}.sanc")
    with open(path, "w") as f:
        f.write('commodity coal = hs 2701\nregime bench "scaling benchmark"\n')
        for i in range(n):
            # Distinct limits and destinations, so no cap shadows another
            # and the lint has to compare them all.
            f.write(f"cap{i}: cap coal to PRK {1000 + i} t per year cite \"bench {i}\"\n")
    return path


FINDING_RULES = """commodity coal = hs 2701
cap coal to PRK 1 t per 30 days cite "bench"
"""


def findings_events(d, n):
    """N shipments of coal to the DPRK, each over a 1 t rolling cap."""
    path = os.path.join(d, f"findings{n}.ndjson")
    with open(path, "w") as f:
        for i in range(n):
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            year = 2000 + i // (28 * 12)
            f.write(
                f'{{"id": "e{i}", "date": "{year}-{month:02d}-{day:02d}", "commodity": "coal", '
                f'"quantity": "2 t", "from": "CHN", "to": "PRK", "source": "synthetic"}}\n'
            )
    return path


def rejected_events(d, n):
    """N NDJSON lines, each rejected for a date that does not exist."""
    path = os.path.join(d, f"rejected{n}.ndjson")
    with open(path, "w") as f:
        for i in range(n):
            f.write(
                f'{{"id": "e{i}", "date": "2024-02-30", "commodity": "coal", '
                f'"quantity": "2 t", "from": "CHN", "to": "PRK"}}\n'
            )
    return path


def table(title, rows):
    print(f"\n{title}")
    print(f"  {'size':>8}  {'median':>8}  {'per item':>10}  {'× prev':>7}  {'peak':>8}  exit")
    prev = None
    for n, wall, peak, codes in rows:
        ratio = f"{wall / prev:.2f}" if prev else "-"
        prev = wall
        print(
            f"  {n:>8,}  {wall:>7.2f}s  {wall / n * 1e6:>8.2f}µs  {ratio:>7}  {peak:>6.0f}MiB"
            f"  {','.join(map(str, sorted(codes)))}"
        )


def main():
    with tempfile.TemporaryDirectory() as d:
        rows = []
        for n in (20_000, 40_000, 80_000):
            path = caps_file(d, n)
            rows.append((n, *measure([SANC, "check", path])))
        table("sanc check, N one-line caps", rows)

        rules = os.path.join(d, "findings.sanc")
        with open(rules, "w") as f:
            f.write(FINDING_RULES)
        for fmt in ("human", "json"):
            rows = []
            for n in (100_000, 200_000, 300_000):
                ev = findings_events(d, n)
                cmd = [SANC, "eval", rules, ev, "--as-of", "2025-01-01", "--format", fmt]
                if fmt == "human":
                    cmd.append("--verbose")
                rows.append((n, *measure(cmd)))
            table(f"sanc eval, N findings printed ({fmt}{', --verbose' if fmt == 'human' else ''})", rows)

        for fmt in ("human", "json"):
            rows = []
            for n in (150_000, 300_000, 600_000):
                ev = rejected_events(d, n)
                cmd = [SANC, "eval", rules, ev, "--as-of", "2025-01-01", "--format", fmt]
                rows.append((n, *measure(cmd)))
            table(f"sanc eval, N rejected lines ({fmt})", rows)
    print(f"\nload average at the end: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    sys.exit(main())
