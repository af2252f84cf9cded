"""Run scripts compiled by `sanc compile --to sql` on DuckDB or Apache Spark.

Reads {"columns": [the events table's columns], "cases": [...]} from
standard input, each case {"script": "<SQL text>", "events": "<path to a
CSV, NDJSON or JSON file>"} (`"events": null` when the script reads its
own files, compiled with `--events`; DuckDB and Spark),
and prints one JSON list: per case {"findings": [...], "diagnostics": [...]}
or {"error": "..."}. Events are loaded into `sanc_events` as text columns,
the way docs/scale-out.md describes the table: lists joined with `;`,
amount objects written as `"<amount> <unit>"`.

Usage: python run.py duckdb|spark|postgres < cases.json
       python run.py duckdb-serve  (a worker: one case per line; see serve_duckdb)
"""

import csv
import datetime
import decimal
import json
import os
import sys

# The events table's columns (docs/scale-out.md), as the input gives them.
COLUMNS = []


def cell(name, v):
    """A JSON value as the text of a CSV cell (None: absent)."""
    if v is None:
        return None
    if isinstance(v, list):
        return ";".join(cell(name, x) or "" for x in v)
    if isinstance(v, dict):
        amount = v.get("amount")
        unit, cur = v.get("unit"), v.get("currency")
        u = f"{cur}/{unit}" if unit and cur else (unit or cur)
        return f"{amount} {u}"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def flatten(rec):
    """A JSON event in the events table's columns (docs/scale-out.md): a
    vessel object in the `vessel_imo`, `vessel_name` and `vessel_flag`
    columns; a `parties` object in `party_ROLE` (names joined with `;`) and
    `party_ROLE_country`, when each role has at most one country. A
    `parties` object the columns cannot hold stays in `parties`, as JSON
    text (the script leaves such an event to `sanc eval`)."""
    rec = dict(rec)
    for v in ("vessel", "counterpart_vessel"):
        obj = rec.get(v)
        if isinstance(obj, dict) and set(obj) <= {"imo", "name", "flag"}:
            del rec[v]
            for k, x in obj.items():
                if x is not None:
                    rec[f"{v}_{k}"] = str(x)
    parties = rec.get("parties")
    if isinstance(parties, dict):
        cols = {}
        for role, val in parties.items():
            items = val if isinstance(val, list) else [val]
            names, countries = [], set()
            for x in items:
                if isinstance(x, str):
                    names.append(x)
                elif isinstance(x, dict) and isinstance(x.get("name"), str) and set(x) <= {"name", "country"}:
                    names.append(x["name"])
                    if x.get("country") is not None:
                        countries.add(str(x["country"]))
                elif x is not None:
                    cols = None
                    break
            if cols is None or len(countries) > 1 or (countries and len(names) > 1) \
                    or any(";" in n for n in names) or f"party_{role}" not in COLUMNS:
                cols = None
                break
            cols[f"party_{role}"] = ";".join(names)
            if countries:
                cols[f"party_{role}_country"] = countries.pop()
        if cols is not None:
            del rec["parties"]
            rec.update(cols)
        else:
            rec["parties"] = json.dumps(parties)
    return rec


def load_events(path):
    rows = []
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8-sig") as f:
            r = csv.DictReader(f)
            for rec in r:
                rows.append([rec.get(c) if rec.get(c, "") != "" else None for c in COLUMNS])
        return rows
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json") and text.lstrip().startswith("["):
        records = json.loads(text, parse_float=decimal.Decimal)
    else:
        records = [json.loads(l, parse_float=decimal.Decimal) for l in text.splitlines() if l.strip()]
    for rec in records:
        rec = flatten(rec)
        rows.append([cell(c, rec.get(c)) for c in COLUMNS])
    return rows


def statements(script):
    out, cur = [], []
    for line in script.splitlines():
        if line.startswith("--") and not cur:
            continue
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(cur).rstrip().rstrip(";"))
            cur = []
    if "".join(cur).strip():
        out.append("\n".join(cur))
    return out


def plain(v):
    if isinstance(v, (datetime.date,)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


FINDING_COLS = ["rule", "kind", "event", "date", "cite", "window", "total", "share", "limit", "unit",
                "contributors", "contributor_count", "deadline"]
DIAG_COLS = ["event", "code", "severity", "field", "effect", "rule"]


def duckdb_connect(duckdb):
    con = duckdb.connect(config={"threads": 1})
    # The tables are a few rows: planning, not running, is the cost, and
    # the optimizer's rewrites of the deep queries are a good part of it.
    # Off for the tests only (SANC_SQL_OPTIMIZER=1 turns it back on).
    if os.environ.get("SANC_SQL_OPTIMIZER") != "1":
        con.execute("PRAGMA disable_optimizer")
    return con


def duckdb_case(con, case):
    """One case on an in-memory DuckDB database: every table the script
    writes is replaced, and the events table is made afresh."""
    try:
        con.execute("DROP TABLE IF EXISTS sanc_events")
        con.execute("DROP VIEW IF EXISTS sanc_events")
        # No events: the script reads its files itself (`--events`).
        rows = []
        if case.get("events") is not None:
            con.execute("CREATE TABLE sanc_events (" + ", ".join(f'"{c}" VARCHAR' for c in COLUMNS) + ")")
            rows = load_events(case["events"])
        if rows:
            one = "(" + ", ".join("?" * len(COLUMNS)) + ")"
            con.execute("INSERT INTO sanc_events VALUES " + ", ".join([one] * len(rows)),
                        [x for r in rows for x in r])
        for st in statements(case["script"]):
            con.execute(st)
        f = con.execute("SELECT " + ", ".join(f'"{c}"' for c in FINDING_COLS) + " FROM sanc_findings").fetchall()
        d = con.execute("SELECT " + ", ".join(f'"{c}"' for c in DIAG_COLS) + " FROM sanc_diagnostics").fetchall()
        return {"findings": [dict(zip(FINDING_COLS, map(plain, r))) for r in f],
                "diagnostics": [dict(zip(DIAG_COLS, map(plain, r))) for r in d]}
    except Exception as e:  # reported to the test, which fails
        return {"error": f"{type(e).__name__}: {e}"}


def run_duckdb(cases):
    import duckdb
    out = []
    for case in cases:
        con = duckdb_connect(duckdb)
        out.append(duckdb_case(con, case))
        con.close()
    return out


def serve_duckdb():
    """A worker: the columns on the first line of standard input, then one
    case per line; one result per line, as soon as it is known."""
    import duckdb
    COLUMNS.extend(json.loads(sys.stdin.readline()))
    con = duckdb_connect(duckdb)
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(duckdb_case(con, json.loads(line))) + "\n")
            sys.stdout.flush()
    con.close()


def spark_session():
    """One Spark session in local mode for all the cases: a small driver,
    one core, one shuffle partition, no web UI; the script's tables go to a
    temporary warehouse folder. `SANC_SPARK_CONF` adds settings
    (`key=value`, separated by spaces)."""
    import shutil
    import tempfile
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        sys.exit(f"pyspark is not installed for {sys.executable} ({e}): run the tests with "
                 "scripts/test, which installs tests/requirements.txt into target/test-venv")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        sys.exit("no Java for Spark (java is not on PATH, JAVA_HOME is not set): run the tests with "
                 "scripts/test, which installs openjdk-17-jre-headless (tests/debian-packages.txt)")
    warehouse = tempfile.mkdtemp(prefix="sanc-spark-warehouse-")
    builder = (SparkSession.builder.master("local[1]").appName("sanc-sql-test")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.warehouse.dir", warehouse)
               .config("spark.driver.memory", os.environ.get("SANC_SPARK_MEMORY", "1g"))
               # The JIT's first tier only: the cases are small, and the
               # optimising compiler's work on Spark's planner took more
               # time than it saved (the scripts' stages twice as slow).
               # A five-example session filled the JIT's default code cache
               # (the JVM then stops compiling and says so on stdout).
               .config("spark.driver.extraJavaOptions",
                       "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=256m"))
    for kv in os.environ.get("SANC_SPARK_CONF", "").split():
        k, v = kv.split("=", 1)
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark, warehouse


def run_spark(cases):
    import shutil
    spark, warehouse = spark_session()
    from pyspark.sql.types import StringType, StructField, StructType
    schema = StructType([StructField(c, StringType(), True) for c in COLUMNS])
    out = []
    for case in cases:
        try:
            # Each case starts from an empty database.
            for t in spark.catalog.listTables():
                if t.isTemporary:
                    spark.catalog.dropTempView(t.name)
                else:
                    spark.sql(f"DROP TABLE IF EXISTS `{t.name}`")
            if case.get("events") is not None:
                spark.createDataFrame(load_events(case["events"]), schema).createOrReplaceTempView("sanc_events")
            for st in statements(case["script"]):
                spark.sql(st)
            f = spark.sql("SELECT " + ", ".join(f"`{c}`" for c in FINDING_COLS) + " FROM sanc_findings").collect()
            d = spark.sql("SELECT " + ", ".join(f"`{c}`" for c in DIAG_COLS) + " FROM sanc_diagnostics").collect()
            out.append({"findings": [dict(zip(FINDING_COLS, map(plain, r))) for r in f],
                        "diagnostics": [dict(zip(DIAG_COLS, map(plain, r))) for r in d]})
        except Exception as e:
            out.append({"error": f"{type(e).__name__}: {str(e)[:2000]}"})
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    return out


def run_postgres(cases):
    """Through `psql`, on the server PGHOST/PGPORT/PGUSER name."""
    import subprocess
    import tempfile
    out = []
    # A schema of this process's own: tests run side by side on one server.
    schema = f"sanc_test_{os.getpid()}"
    for case in cases:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for r in load_events(case["events"]):
                w.writerow(["" if x is None else x for x in r])
            path = f.name
        cols = ", ".join(f'"{c}" TEXT' for c in COLUMNS)
        script = (
            "\\set ON_ERROR_STOP on\nSET client_min_messages = warning;\n"
            f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema};\n"
            f"CREATE TABLE sanc_events ({cols});\n"
            f"\\copy sanc_events FROM '{path}' WITH (FORMAT csv, HEADER true)\n"
            "UPDATE sanc_events SET " + ", ".join(f'"{c}" = NULLIF("{c}", \'\')' for c in COLUMNS) + ";\n"
            + case["script"] + "\n"
            "\\t on\n\\a on\n"
            "SELECT json_build_object('findings', (SELECT COALESCE(json_agg(f), '[]') FROM (SELECT "
            + ", ".join(f'"{c}"' for c in FINDING_COLS) + " FROM sanc_findings) f), "
            "'diagnostics', (SELECT COALESCE(json_agg(d), '[]') FROM (SELECT "
            + ", ".join(f'"{c}"' for c in DIAG_COLS) + " FROM sanc_diagnostics) d))::jsonb::text;\n"
            f"DROP SCHEMA {schema} CASCADE;\n"
        )
        p = subprocess.run(["psql", "-q", "-X", "-f", "-"], input=script, capture_output=True, text=True)
        if p.returncode != 0:
            out.append({"error": p.stderr[:2000]})
            continue
        last = [l for l in p.stdout.splitlines() if l.startswith("{")][-1]
        out.append(json.loads(last))
    return out


def main():
    engine = sys.argv[1]
    if engine == "duckdb-serve":
        serve_duckdb()
        return
    data = json.load(sys.stdin)
    COLUMNS.extend(data["columns"])
    cases = data["cases"]
    # The result is the only thing on stdout: what the engines and their
    # children (Spark's JVM writes its warnings to its stdout) print goes
    # to stderr, through file descriptor 1 pointed there.
    result_out = os.fdopen(os.dup(1), "w")
    sys.stdout.flush()
    os.dup2(2, 1)
    runners = {"duckdb": run_duckdb, "spark": run_spark, "postgres": run_postgres}
    result = runners[engine](cases)
    json.dump(result, result_out)
    result_out.close()


if __name__ == "__main__":
    main()
