#!/usr/bin/env python3
"""Write N synthetic events as NDJSON (deterministic), for scripts/bench."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.stdout
rnd = random.Random(2397)
suppliers = ["RUS", "CHN", "SGP", "MYS", "IND", "TUR", "ARE", "NLD"]
# A monitoring feed is mostly lawful trade: 1 shipment in 200 goes to the DPRK.
dests = ["IND", "CHN", "TUR", "JPN", "KOR", "EGY", "BRA", "USA"]
goods = [
    ("refined_petroleum", "2710", "bbl", 800, 9000),
    ("diesel", "271019", "t", 100, 1500),
    ("gasoline", "271012", "t", 100, 1500),
    ("crude_oil", "2709", "bbl", 50000, 900000),
    ("coal", "2701", "t", 1000, 50000),
    ("arms", "93", "units", 1, 50),
]
weights = [30, 20, 10, 30, 9, 1]
write = out.write
for i in range(n):
    y = rnd.randint(2018, 2024)
    m = rnd.randint(1, 12)
    d = rnd.randint(1, 28)
    c, hs, unit, lo, hi = rnd.choices(goods, weights)[0]
    frm = rnd.choice(suppliers)
    to = "PRK" if rnd.random() < 0.005 else rnd.choice(dests)
    qty = rnd.randint(lo, hi)
    extra = ""
    if c == "crude_oil" or rnd.random() < 0.3:
        extra += f', "price": "{rnd.randint(40, 62)}.{rnd.randint(0, 99):02d} USD/bbl"'
    if rnd.random() < 0.1:
        extra += f', "via": ["{rnd.choice(suppliers)}"]'
    write(
        f'{{"id": "e{i}", "date": "{y}-{m:02d}-{d:02d}", "commodity": "{c}", "hs": "{hs}", '
        f'"quantity": "{qty} {unit}", "from": "{frm}", "to": "{to}"{extra}, "source": "synthetic"}}\n'
    )
    if to == "PRK" and rnd.random() < 0.5:
        write(f'{{"id": "r{i}", "type": "report", "date": "{y}-{m:02d}-{min(d + 10, 28):02d}", "reporter": "{frm}", "covers": ["e{i}"]}}\n')
