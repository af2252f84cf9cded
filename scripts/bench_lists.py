"""Driver of scripts/bench-lists: events with vessels and owners, a large
designation list, sanc with and without the rule on it."""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

N = int(sys.argv[1])
M = int(sys.argv[2])
RUNS = int(os.environ.get("RUNS", "3"))
SANC = "target/release/sanc"
PY = sys.executable
SYLLABLES = ["kum", "san", "chon", "ma", "yu", "jong", "paek", "rye", "song", "gang",
             "nam", "sam", "ryong", "hae", "bong", "sin", "ok", "dong", "hwa", "mun"]


def imo(rnd):
    """A random IMO number with a valid check digit."""
    d = [rnd.randint(1, 9)] + [rnd.randint(0, 9) for _ in range(5)]
    check = sum(x * w for x, w in zip(d, [7, 6, 5, 4, 3, 2])) % 10
    return "".join(map(str, d)) + str(check)


def name(rnd, kind, serial):
    """A name; listed entries and events draw serials from different
    ranges, so only the events given a listed name match."""
    words = [rnd.choice(SYLLABLES).capitalize() + rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))]
    words.append(str(serial))
    if kind == "company":
        words += [rnd.choice(["Trading", "Shipping", "Maritime"]), rnd.choice(["Co., Ltd.", "LLC", "Corporation"])]
    return " ".join(words)


def main():
    rnd = random.Random(1718)
    with tempfile.TemporaryDirectory() as d:
        print(f"generating {N:,} events and a list of {M:,} entries …", flush=True)
        listed_vessels, listed_owners = [], []
        lst = os.path.join(d, "big.csv")
        with open(lst, "w") as f:
            f.write("name,imo,listed_on,delisted_on,reference\n")
            for i in range(M):
                if i % 2:
                    n, number = name(rnd, "company", i), ""
                    listed_owners.append(n)
                else:
                    n, number = name(rnd, "vessel", i), imo(rnd)
                    listed_vessels.append(number)
                f.write(f'"{n}",{number},{rnd.randint(2010, 2024)}-{rnd.randint(1, 12):02d}-01,,L{i}\n')
        raw = os.path.join(d, "plain.ndjson")
        with open(raw, "w") as out:
            subprocess.run([PY, "benches/gen_events.py", str(N)], stdout=out, check=True)
        listed_imos = set(listed_vessels)
        ev = os.path.join(d, "events.ndjson")
        with open(raw) as src, open(ev, "w") as out:
            for line in src:
                line = line.rstrip("\n")
                if '"type": "report"' in line:
                    out.write(line + "\n")
                    continue
                # One event in a thousand has a listed vessel, one in a thousand a listed owner.
                r = rnd.random()
                number = rnd.choice(listed_vessels) if r < 0.001 else imo(rnd)
                while r >= 0.001 and number in listed_imos:
                    number = imo(rnd)
                owner = rnd.choice(listed_owners) if 0.001 <= r < 0.002 else name(rnd, "company", M + rnd.randint(0, 10**6))
                vessel = name(rnd, "vessel", M + rnd.randint(0, 10**6))
                out.write(line[:-1] + f', "transfer": "port", "vessel": {{"imo": "{number}", "name": "{vessel}"}}, '
                          f'"parties": {{"owner": "{owner}"}}}}\n')
        five = open("benches/five.sanc").read()
        without = os.path.join(d, "without.sanc")
        with open(without, "w") as f:
            f.write(five)
        with_list = os.path.join(d, "with.sanc")
        with open(with_list, "w") as f:
            f.write(five + '\nlist big "benchmark list" = csv "big.csv"\nban any with any party on big\n')
        cases = {"five rules": without, "five rules + list rule": with_list}
        times = {k: [] for k in cases}
        cpu = {k: [] for k in cases}
        summary = {}
        for _ in range(RUNS):
            for k, rules in cases.items():
                t = time.perf_counter()
                p = subprocess.Popen([SANC, "eval", rules, ev, "--quiet", "--as-of", "2025-01-01"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                out = p.stdout.read()
                # wait4: this child's own CPU time, steadier than wall time
                # on a shared machine.
                _, status, ru = os.wait4(p.pid, 0)
                times[k].append(time.perf_counter() - t)
                cpu[k].append(ru.ru_utime + ru.ru_stime)
                code = os.waitstatus_to_exitcode(status)
                if code not in (0, 1):
                    sys.exit(f"{k}: exit {code}: {out}{p.stderr.read()}")
                summary[k] = out.strip().splitlines()[0]
        med = {k: statistics.median(v) for k, v in times.items()}
        mcpu = {k: statistics.median(v) for k, v in cpu.items()}
        print(f"\n{N:,} events with vessels and owners; a list of {M:,} entries; {RUNS} alternating rounds\n")
        print(f"{'':24} {'wall':>8} {'CPU':>8}   runs (wall)")
        for k in cases:
            runs = ", ".join(f"{t:.2f}" for t in times[k])
            print(f"{k:24} {med[k]:7.2f}s {mcpu[k]:7.2f}s   ({runs})   {summary[k]}")
        a, b = "five rules + list rule", "five rules"
        print(f"\nwith the list / without: {med[a] / med[b]:.2f}x wall, {mcpu[a] / mcpu[b]:.2f}x CPU")


main()
