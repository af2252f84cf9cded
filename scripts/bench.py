"""Driver of scripts/bench: generate the events, run sanc, DuckDB and the
parse floor in alternation, report medians, ratios and peak memory."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

N = int(sys.argv[1])
FLOOR = sys.argv[2]
RUNS = int(os.environ.get("RUNS", "3"))
SCALE = int(os.environ.get("SCALE", "0"))
# Rounds of the scaling run (each a run on N and one on N × SCALE events).
SCALE_ROUNDS = int(os.environ.get("SCALE_ROUNDS", "3"))
SANC = "target/release/sanc"
PY = sys.executable


def generate(n, d):
    """NDJSON from benches/gen_events.py, then the same events as a compact
    one-line JSON array and as CSV."""
    nd = os.path.join(d, f"events{n}.ndjson")
    with open(nd, "w") as out:
        subprocess.run([PY, "benches/gen_events.py", str(n)], stdout=out, check=True)
    js = os.path.join(d, f"events{n}.json")
    cs = os.path.join(d, f"events{n}.csv")
    cols = ["id", "type", "date", "commodity", "hs", "quantity", "price", "from", "to",
            "reporter", "covers", "source"]
    with open(nd) as src, open(js, "w") as j, open(cs, "w") as c:
        j.write("[")
        c.write(",".join(cols) + "\n")
        first = True
        for line in src:
            if not line.strip():
                continue
            if not first:
                j.write(",")
            first = False
            j.write(line.rstrip("\n"))
            e = json.loads(line)
            row = []
            for k in cols:
                v = e.get(k, "")
                if isinstance(v, list):
                    v = ";".join(v)
                row.append(str(v))
            c.write(",".join(row) + "\n")
        j.write("]\n")
    return nd, js, cs


def with_extra_keys(nd):
    """The NDJSON with two keys that are no event field in every record,
    as exports carry them (each is weighed against the fields once)."""
    out = nd.replace(".ndjson", "-extra.ndjson")
    with open(nd) as src, open(out, "w") as dst:
        for line in src:
            line = line.rstrip("\n")
            if line.endswith("}"):
                line = line[:-1] + ', "shipment_notes": "n", "Remarks": "checked"}'
            dst.write(line + "\n")
    return out


def run(cmd, stdin=None):
    """Wall time and peak RSS (MiB) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=stdin)
    out = p.stdout.read()
    # wait4 gives this child's own peak memory, not the maximum of all children.
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss / 1024, code, out.decode()


def sanc(path, rules="benches/five.sanc"):
    return [SANC, "eval", rules, path, "--quiet", "--as-of", "2025-01-01"]


def duckdb_cmd(path, sql_file):
    script = open("benches/five.sql").read().replace("EVENTS", path)
    with open(sql_file, "w") as f:
        f.write(script)
    code = (
        "import duckdb, sys\n"
        "con = duckdb.connect(config={'threads': 2})\n"
        # A slow run (a loaded machine) would print a progress bar to stdout.
        "con.execute('SET enable_progress_bar = false')\n"
        "stmts = [s for s in open(sys.argv[1]).read().split(';') if s.strip()]\n"
        "for s in stmts[:-1]: con.execute(s)\n"
        "print(con.execute(stmts[-1]).fetchone()[0])\n"
    )
    return [PY, "-c", code, sql_file]


def findings_of(summary):
    # "14 violations, 0 warnings · …"
    head = summary.strip().splitlines()[0]
    v = int(head.split(" violation")[0].replace(",", ""))
    w = int(head.split(", ")[1].split(" warning")[0].replace(",", ""))
    return v + w


def main():
    with tempfile.TemporaryDirectory() as d:
        print(f"generating {N:,} events …", flush=True)
        nd, js, cs = generate(N, d)
        ex = with_extra_keys(nd)
        sizes = {k: os.path.getsize(p) for k, p in [("ndjson", nd), ("json", js), ("csv", cs)]}
        sql_file = os.path.join(d, "five.sql")
        cases = {
            "sanc ndjson": sanc(nd),
            "sanc json (one line)": sanc(js),
            "sanc csv": sanc(cs),
            "sanc ndjson, 2 extra keys": sanc(ex),
            "duckdb (2 threads)": duckdb_cmd(nd, sql_file),
            "serde floor (1 core)": [FLOOR, nd],
        }
        times = {k: [] for k in cases}
        rss = {k: 0.0 for k in cases}
        outs = {}
        for _ in range(RUNS):
            for k, cmd in cases.items():
                wall, mem, code, out = run(cmd)
                if k.startswith("sanc") and code not in (0, 1):
                    sys.exit(f"{k} failed with exit code {code}: {out}")
                times[k].append(wall)
                rss[k] = max(rss[k], mem)
                outs[k] = out
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"\n{N:,} events; NDJSON {sizes['ndjson'] / 2**20:.0f} MiB, "
              f"JSON {sizes['json'] / 2**20:.0f} MiB, CSV {sizes['csv'] / 2**20:.0f} MiB; "
              f"{RUNS} alternating rounds\n")
        print(f"{'':26} {'median':>8} {'runs':>24} {'peak RSS':>10}")
        for k in cases:
            runs = ", ".join(f"{t:.2f}" for t in times[k])
            print(f"{k:26} {med[k]:7.2f}s {runs:>24} {rss[k]:7.0f} MiB")
        duck = med["duckdb (2 threads)"]
        flo = med["serde floor (1 core)"]
        print()
        for k in ["sanc ndjson", "sanc json (one line)", "sanc csv", "sanc ndjson, 2 extra keys"]:
            print(f"{k:26} {med[k] / duck:5.2f}x DuckDB   {med[k] / flo:5.2f}x floor   "
                  f"{med[k] / med['sanc ndjson']:5.2f}x NDJSON")
        s_f = findings_of(outs["sanc ndjson"])
        d_f = int(outs["duckdb (2 threads)"].strip())
        same = all(findings_of(outs[k]) == s_f for k in cases if k.startswith("sanc"))
        print(f"\nfindings: sanc {s_f:,} (same in every format: {same}), DuckDB {d_f:,}"
              f" -> {'equal' if s_f == d_f and same else 'DIFFERENT'}")
        print(f"sanc said: {outs['sanc ndjson'].strip().splitlines()[0]}")
        if s_f != d_f or not same:
            sys.exit(1)
        if SCALE:
            big = N * SCALE
            print(f"\ngenerating {big:,} events for the scaling run …", flush=True)
            bnd = os.path.join(d, f"big{big}.ndjson")
            with open(bnd, "w") as out:
                subprocess.run([PY, "benches/gen_events.py", str(big)], stdout=out, check=True)
            # The big run alternates with the million's, so that both are
            # taken at the same moment of a machine whose speed drifts.
            small, large, mem_small, mem = [], [], 0.0, 0.0
            for _ in range(SCALE_ROUNDS):
                w, m, _, _ = run(sanc(nd))
                small.append(w)
                mem_small = max(mem_small, m)
                w, m, code, out = run(sanc(bnd))
                if code not in (0, 1):
                    sys.exit(f"sanc on {big:,} events failed with exit code {code}: {out}")
                large.append(w)
                mem = max(mem, m)
            s_med, l_med = statistics.median(small), statistics.median(large)
            print(f"sanc ndjson {big:,}: {l_med:.2f}s against {s_med:.2f}s for {N:,} "
                  f"({SCALE_ROUNDS} alternating rounds): {l_med / s_med:.2f}x the time; "
                  f"peak {mem:.0f} MiB (+{mem - mem_small:.0f} MiB; "
                  f"{(mem - mem_small) * 2**20 / (big - N):.1f} bytes an extra event)")
            # The same with rules that find nothing: no findings to keep,
            # so what is left is what every event leaves behind (its id's
            # hash, for the duplicate-id check).
            mem_small, mem = 0.0, 0.0
            for _ in range(SCALE_ROUNDS):
                mem_small = max(mem_small, run(sanc(nd, "benches/nothing.sanc"))[1])
                mem = max(mem, run(sanc(bnd, "benches/nothing.sanc"))[1])
            print(f"with benches/nothing.sanc (no findings): peak {mem_small:.0f} MiB for {N:,}, "
                  f"{mem:.0f} MiB for {big:,} (+{mem - mem_small:.0f} MiB; "
                  f"{(mem - mem_small) * 2**20 / (big - N):.1f} bytes an extra event)")

main()
