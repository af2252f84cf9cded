"""Driver of scripts/bench-sql: generate events (benches/gen_events.py) as
CSV, run `sanc eval` and the compiled SQL on DuckDB, compare, time."""
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import duckdb

SANC = sys.argv[1]
SIZES = [int(n) for n in sys.argv[2:]]
COLUMNS = ["id", "type", "date", "commodity", "hs", "quantity", "price", "value",
           "from", "to", "via", "reporter", "covers", "exemptions", "loaded", "delivered"]
AS_OF = "2025-01-01"
THREADS = int(os.environ.get("THREADS", "2"))
BASE = int(os.environ.get("BASE", "10000000"))


def generate(n, path):
    gen = subprocess.Popen([sys.executable, "benches/gen_events.py", str(n)], stdout=subprocess.PIPE, text=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for line in gen.stdout:
            e = json.loads(line)
            w.writerow([";".join(v) if isinstance(v, list) else ("" if v is None else str(v))
                        for v in (e.get(c) for c in COLUMNS)])
    gen.wait()


def compile_sql(events):
    return subprocess.run([SANC, "compile", "--to", "sql", "--as-of", AS_OF, "--events", events,
                           "benches/five.sanc"], check=True, capture_output=True, text=True).stdout


def connect():
    # Large runs keep their tables in a database file (BENCH_DIR), as an
    # in-memory database would have to hold every stage in memory.
    db = os.path.join(os.environ["BENCH_DIR"], "bench.duckdb") if os.environ.get("BENCH_DIR") else ":memory:"
    if db != ":memory:" and os.path.exists(db):
        os.remove(db)
    return duckdb.connect(db, config={"threads": THREADS, "memory_limit": os.environ.get("MEMORY", "8GB")})


def run_sql(script):
    con = connect()
    t, c = time.perf_counter(), cpu_seconds()
    con.execute(script)
    rows = con.execute('SELECT "rule", "kind", "event", "window", "total" FROM sanc_findings').fetchall()
    wall, cpu = time.perf_counter() - t, cpu_seconds() - c
    diags = con.execute("SELECT count(*) FROM sanc_diagnostics").fetchone()[0]
    con.close()
    return wall, cpu, rows, diags


def cpu_seconds():
    # DuckDB runs in this process: its threads' CPU time is ours. Unlike the
    # wall time, it does not grow when other work shares the machine.
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_eval(path):
    t = time.perf_counter()
    p = subprocess.run([SANC, "eval", "benches/five.sanc", path, "--format", "json", "--as-of", AS_OF],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t
    out = json.loads(p.stdout)
    rows = [(f["rule"], f["kind"], f["event"], f.get("window"), f.get("total")) for f in out["findings"]]
    return wall, rows


def main():
    print(f"DuckDB {duckdb.__version__}, {THREADS} threads; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
        for i, n in enumerate(SIZES):
            # Sizes above BASE events (10,000,000 by default) are BASE
            # generated events repeated, each copy with its own ids.
            copies = max(1, n // BASE) if n > BASE else 1
            path = os.path.join(d, f"events{n}.csv")
            t = time.perf_counter()
            generate(n // copies, path)
            print(f"\n{n:,} events, CSV {os.path.getsize(path) / 2**20 * copies:.0f} MiB (generated in {time.perf_counter() - t:.0f} s"
                  + (f", {copies} copies of {n // copies:,})" if copies > 1 else ")"), flush=True)
            if i == 0:
                ew, erows = run_eval(path)
                sw, sc, srows, diags = run_sql(compile_sql(path))
                same = sorted(map(tuple, erows)) == sorted(map(tuple, srows))
                print(f"  sanc eval (release):        {ew:7.1f} s, {len(erows):,} findings")
                print(f"  compiled SQL on DuckDB/CSV: {sw:7.1f} s ({sc:.1f} s CPU), {len(srows):,} findings, {diags:,} diagnostics; "
                      f"identical findings: {same}", flush=True)
                if not same:
                    sys.exit("the findings differ")
            pq = os.path.join(d, f"events{n}.parquet")
            con = duckdb.connect(config={"threads": THREADS})
            src = f"read_csv('{path}', header = true, all_varchar = true)"
            if copies > 1:
                src = (f"(SELECT * REPLACE (id || '-' || k AS id, regexp_replace(covers, '([^;]+)', '\\1-' || k, 'g') AS covers) "
                       f"FROM {src}, range({copies}) AS r(k))")
            con.execute(f"COPY (SELECT * FROM {src}) TO '{pq}' (FORMAT parquet)")
            con.close()
            os.remove(path)
            sw, sc, srows, diags = run_sql(compile_sql(pq))
            print(f"  compiled SQL on DuckDB/Parquet: {sw:7.1f} s ({sc:.1f} s CPU), {len(srows):,} findings, "
                  f"{n / sw / 1e6:.2f} M events/s", flush=True)
            os.remove(pq)


if __name__ == "__main__":
    main()
