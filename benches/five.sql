-- The five rules of benches/five.sanc as a data analyst would write them for
-- DuckDB over the same NDJSON file (scripts/bench puts its path in place of
-- EVENTS). It prints the number of findings, to compare with sanc's.
CREATE TEMP TABLE ev AS
SELECT * FROM read_json('EVENTS', format = 'newline_delimited', columns = {
    id: 'VARCHAR', type: 'VARCHAR', date: 'DATE', commodity: 'VARCHAR', hs: 'VARCHAR',
    quantity: 'VARCHAR', price: 'VARCHAR', "from": 'VARCHAR', "to": 'VARCHAR'
});
WITH s AS (
    SELECT id, date, hs, "from", "to", price,
           CAST(split_part(quantity, ' ', 1) AS DECIMAL(38, 6)) AS q,
           split_part(quantity, ' ', 2) AS u
    FROM ev WHERE coalesce(type, 'shipment') = 'shipment'
),
bans AS (
    SELECT id FROM s WHERE hs LIKE '93%' AND "to" = 'PRK'
    UNION ALL SELECT id FROM s WHERE hs LIKE '93%' AND "from" = 'PRK'
    UNION ALL SELECT id FROM s WHERE hs LIKE '2701%' AND "from" = 'PRK'
),
price AS (
    SELECT id FROM s
    WHERE hs LIKE '2709%' AND "from" = 'RUS' AND price IS NOT NULL
      AND CAST(split_part(price, ' ', 1) AS DECIMAL(38, 6)) > 60
),
cap AS (
    SELECT id FROM (
        SELECT id, sum(CASE WHEN u = 't' THEN q * 7.33 ELSE q END)
                   OVER (PARTITION BY year(date) ORDER BY date, id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
        FROM s WHERE hs LIKE '2710%' AND "to" = 'PRK'
    ) WHERE total > 500000
)
SELECT (SELECT count(*) FROM bans) + (SELECT count(*) FROM price) + (SELECT count(*) FROM cap)
    AS findings;
