#!/usr/bin/env python3
"""Write estimated-unreported.ndjson: the deliveries of refined petroleum to
the DPRK that nobody reported, as estimated in public (sources in each
event's `source` and in README.md). Where an estimate gives a total, a
number of deliveries and a period, it is modelled as that many deliveries
of equal size, spread evenly over the period (the first on its first day,
the last on its last day): a model, which fixes the day of each threshold.
Where it gives only a total for a period, it is one delivery dated on the
period's last day. Every estimate is a lower bound or an approximation.

Each event says what kind of fact it is in `evidence`: `modelled` for a
delivery made by splitting an estimate, `estimated` for an estimate taken
as it was published. Where a public figure bounds a delivery from above,
the event gives it as `quantity_high` (its `quantity` is then the lower
bound, `quantity_low`).

    python3 generate-estimates.py > estimated-unreported.ndjson
"""
import datetime as dt
import json


def spread(prefix, count, per_delivery, first, last, source, note, high=None):
    days = (last - first).days
    for i in range(count):
        date = first + dt.timedelta(days=(i * days) // (count - 1))
        event = {
            "id": f"{prefix}-{i + 1:03}",
            "type": "shipment",
            "date": date.isoformat(),
            "commodity": "refined_petroleum",
            "quantity": f"{per_delivery} bbl",
            "to": "PRK",
            "evidence": "modelled",
        }
        if high is not None:
            event["quantity_low"] = f"{per_delivery} bbl"
            event["quantity_high"] = f"{high} bbl"
        event["source"] = source
        event["note"] = note
        yield event


events = []
# 2018: at least 759,793 bbl by 89 STS-supplied tanker deliveries,
# 1 Jan - 30 May 2018 (US submission to the 1718 Committee).
# 759,793 / 89 = 8,537 exactly: the low bound of each delivery. The high
# bound: a fully laden tanker, as the US update of March 2019 counted them
# (at least 263 deliveries in 2018, up to 3.78 million bbl if fully laden:
# 3,780,000 / 263 = 14,373 bbl a delivery, rounded up).
events += spread(
    "est-2018", 89, 8537, dt.date(2018, 1, 1), dt.date(2018, 5, 30),
    "US submission to the 1718 Committee (KBS, Oct 2018): at least 759,793 bbl delivered by 89 ship-to-ship-supplied tanker deliveries between 1 Jan and 30 May 2018",
    "modelled: one of 89 equal deliveries of 8,537 bbl (89 x 8,537 = 759,793 bbl), spread evenly over 1 Jan - 30 May 2018; supplier unknown; high bound 14,373 bbl, a fully laden tanker (US update, Mar 2019: up to 3.78 million bbl by 263 deliveries in 2018; World Oil / Bloomberg)",
    high=14373,
)
# 2020: more than 1.6 million bbl through 56 deliveries, January to May
# (43 states; Kyodo / Reuters, Jul 2020).
# 56 x 28,572 = 1,600,032 bbl, the smallest equal split above 1.6 million.
events += spread(
    "est-2020", 56, 28572, dt.date(2020, 1, 1), dt.date(2020, 5, 31),
    "43 states' report to the 1718 Committee (Kyodo; Reuters, Jul 2020): more than 1.6 million bbl through 56 deliveries, January to May 2020",
    "modelled: one of 56 equal deliveries of 28,572 bbl (56 x 28,572 = 1,600,032 bbl), spread evenly over 1 Jan - 31 May 2020; supplier unknown",
)
# March 2024: Russia delivered more than 165,000 bbl in that month alone
# (US statement, May 2024, which added that the annual cap had already been
# surpassed; Korea Herald).
events.append({
    "id": "est-2024-03",
    "type": "shipment",
    "date": "2024-03-31",
    "commodity": "refined_petroleum",
    "quantity": "165000 bbl",
    "from": "RUS",
    "to": "PRK",
    "evidence": "estimated",
    "source": "US statement, May 2024 (Korea Herald): Russia delivered more than 165,000 bbl in March 2024 alone; the annual cap had already been surpassed",
    "note": "modelled: one delivery of 165,000 bbl (a lower bound), dated on the last day of March 2024",
})
# March - November 2024: about 1 million bbl delivered from Russia, more than
# half by UN-sanctioned vessels (Open Source Centre, via BBC, Nov 2024).
# The March figure above is part of it, so the rest is 835,000 bbl.
events.append({
    "id": "est-2024-04-11",
    "type": "shipment",
    "date": "2024-11-30",
    "commodity": "refined_petroleum",
    "quantity": "835000 bbl",
    "from": "RUS",
    "to": "PRK",
    "evidence": "estimated",
    "source": "Open Source Centre, via BBC, Nov 2024: about 1 million bbl delivered from Russia to the DPRK between March and November 2024, more than half by UN-sanctioned vessels",
    "note": "modelled: the April-November part of the estimate, about 1,000,000 bbl minus the 165,000 bbl of March counted above; one delivery dated on the last day of the period; an approximation, not a lower bound",
})
for e in events:
    print(json.dumps(e, ensure_ascii=False))
