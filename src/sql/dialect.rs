//! The differences between the SQL engines the compiler writes for: every
//! function or type whose spelling differs is asked of the [`Dialect`].

/// An SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    DuckDb,
    Spark,
    Postgres,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
        }
    }

    /// A quoted identifier (`from`, `limit` and `window` are reserved words).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    /// A string literal.
    pub fn str(self, s: &str) -> String {
        match self {
            // Spark reads backslashes in string literals as escapes.
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The text type.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Spark => "STRING",
            Dialect::Postgres => "TEXT",
        }
    }

    /// The exact integer type of scaled amounts (at least 38 digits; an
    /// overflow is an error, never a wrong number).
    pub fn int(self) -> &'static str {
        match self {
            Dialect::DuckDb => "HUGEINT",
            Dialect::Spark => "DECIMAL(38,0)",
            Dialect::Postgres => "NUMERIC",
        }
    }

    /// An exact integer literal of [`Dialect::int`].
    pub fn int_lit(self, digits: &str) -> String {
        format!("CAST('{digits}' AS {})", self.int())
    }

    /// A date literal.
    pub fn date_lit(self, d: chrono::NaiveDate) -> String {
        format!("DATE '{d}'")
    }

    /// `a` divided by `b`, both whole, rounded down (non-negative operands).
    pub fn idiv(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(({a}) // ({b}))"),
            Dialect::Spark => format!("CAST((({a}) - (({a}) % ({b}))) / ({b}) AS {})", self.int()),
            Dialect::Postgres => format!("div(({a}), ({b}))"),
        }
    }

    /// Small integers: `a` divided by `b` rounded down (non-negative).
    pub fn small_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(({a}) // ({b}))"),
            Dialect::Spark => format!("(({a}) div ({b}))"),
            Dialect::Postgres => format!("(({a}) / ({b}))"),
        }
    }

    /// A text column compared byte by byte (as Rust compares ids), whatever
    /// the database's collation.
    pub fn bin(self, col: &str) -> String {
        match self {
            Dialect::Postgres => format!("{col} COLLATE \"C\""),
            _ => col.to_string(),
        }
    }

    /// A row number for each row of a table, in no particular order.
    pub fn row_id(self) -> &'static str {
        match self {
            Dialect::Spark => "monotonically_increasing_id()",
            _ => "row_number() OVER ()",
        }
    }

    /// Does `s` contain a match of the regular expression `re`?
    pub fn matches(self, s: &str, re: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_matches({s}, {})", self.str(re)),
            Dialect::Spark => format!("({s} RLIKE {})", self.str(re)),
            Dialect::Postgres => format!("({s} ~ {})", self.str(re)),
        }
    }

    /// Group `group` of the first match of `re` in `s`, or NULL (or an
    /// empty text) when it does not match.
    pub fn extract(self, s: &str, re: &str, group: u32) -> String {
        match self {
            Dialect::Postgres => format!("(regexp_match({s}, {}))[{group}]", self.str(re)),
            _ => format!("regexp_extract({s}, {}, {group})", self.str(re)),
        }
    }

    /// A text whose regex matches are replaced.
    pub fn replace_re(self, s: &str, re: &str, with: &str) -> String {
        match self {
            Dialect::Postgres => format!(
                "regexp_replace({s}, {}, {}, 'g')",
                self.str(re),
                self.str(with)
            ),
            _ => format!("regexp_replace({s}, {}, {})", self.str(re), self.str(with)),
        }
    }

    /// A date from text, or NULL when it is not a valid date (`YYYY-MM-DD`
    /// already checked).
    /// Every match of `re` replaced (`with` may name the first group as `\1`).
    pub fn replace_all(self, s: &str, re: &str, with: &str) -> String {
        match self {
            Dialect::DuckDb => format!(
                "regexp_replace({s}, {}, {}, 'g')",
                self.str(re),
                self.str(with)
            ),
            Dialect::Spark => format!(
                "regexp_replace({s}, {}, {})",
                self.str(re),
                self.str(&with.replace("\\1", "$1"))
            ),
            Dialect::Postgres => self.replace_re(s, re, with),
        }
    }

    /// The words of a text separated by single spaces, each mapped by the
    /// `CASE` expression `map` (over `w`): (the words joined without
    /// spaces, the words sorted bytewise and joined by spaces).
    pub fn word_keys(self, s: &str, map: &str) -> (String, String) {
        match self {
            Dialect::DuckDb => {
                let w = format!(
                    "list_transform(list_filter(string_split({s}, ' '), lambda w: w <> ''), lambda w: {map})"
                );
                (
                    format!("array_to_string({w}, '')"),
                    format!("array_to_string(list_sort({w}), ' ')"),
                )
            }
            Dialect::Spark => {
                let w = format!("transform(filter(split({s}, ' '), w -> w <> ''), w -> {map})");
                (
                    format!("array_join({w}, '')"),
                    format!("array_join(array_sort({w}), ' ')"),
                )
            }
            Dialect::Postgres => (
                format!("COALESCE((SELECT string_agg({map}, '' ORDER BY i) FROM unnest(string_to_array({s}, ' ')) WITH ORDINALITY AS u(w, i) WHERE w <> ''), '')"),
                format!("COALESCE((SELECT string_agg(x, ' ' ORDER BY x COLLATE \"C\") FROM (SELECT {map} AS x FROM unnest(string_to_array({s}, ' ')) AS u(w) WHERE w <> '') z), '')"),
            ),
        }
    }

    pub fn try_date(self, s: &str) -> String {
        match self {
            Dialect::DuckDb => format!("TRY_CAST({s} AS DATE)"),
            Dialect::Spark => format!("try_to_date({s}, 'yyyy-MM-dd')"),
            Dialect::Postgres => format!("sanc_try_date({s})"),
        }
    }

    /// Statements a script needs before anything else.
    pub fn prelude(self) -> &'static str {
        match self {
            Dialect::DuckDb => "",
            // Overflows are errors, never NULLs; decimal arithmetic keeps
            // every digit. Spark 4's whole-stage code for unions produced
            // bytecode the JVM rejects (`VerifyError`) for the script's
            // larger unions: off (an unknown key to older Sparks, which
            // ignore it).
            Dialect::Spark => "SET spark.sql.ansi.enabled=true;\nSET spark.sql.decimalOperations.allowPrecisionLoss=false;\nSET spark.sql.optimizer.excludedRules=org.apache.spark.sql.catalyst.optimizer.CollapseProject;\nSET spark.sql.codegen.wholeStage.union.enabled=false;\n",
            Dialect::Postgres => {
                "CREATE OR REPLACE FUNCTION sanc_try_date(t TEXT) RETURNS DATE AS $$\n\
                 BEGIN RETURN t::date; EXCEPTION WHEN others THEN RETURN NULL; END;\n\
                 $$ LANGUAGE plpgsql IMMUTABLE;\n"
            }
        }
    }

    /// Days since 1970-01-01.
    pub fn day_number(self, d: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(date_diff('day', DATE '1970-01-01', {d}) AS BIGINT)"),
            Dialect::Spark => format!("CAST(datediff({d}, DATE '1970-01-01') AS BIGINT)"),
            Dialect::Postgres => format!("CAST(({d}) - DATE '1970-01-01' AS BIGINT)"),
        }
    }

    /// `d` plus `n` days (`n` an integer expression).
    pub fn add_days(self, d: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(({d}) + CAST({n} AS INTEGER) AS DATE)"),
            Dialect::Spark => format!("date_add({d}, CAST({n} AS INT))"),
            Dialect::Postgres => format!("CAST(({d}) + CAST({n} AS INTEGER) AS DATE)"),
        }
    }

    /// `d` plus `n` months, the day clamped to the month's end.
    pub fn add_months(self, d: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(({d}) + to_months(CAST({n} AS INTEGER)) AS DATE)"),
            Dialect::Spark => format!("add_months({d}, CAST({n} AS INT))"),
            Dialect::Postgres => {
                format!("CAST(({d}) + make_interval(months => CAST({n} AS INTEGER)) AS DATE)")
            }
        }
    }

    /// A date's year, month or day as an integer.
    pub fn part(self, part: &str, d: &str) -> String {
        format!("CAST(EXTRACT({part} FROM {d}) AS INTEGER)")
    }

    pub fn to_text(self, x: &str) -> String {
        format!("CAST({x} AS {})", self.text())
    }

    /// A text list from a `;`-separated text, items trimmed, empty ones dropped.
    pub fn split_list(self, s: &str) -> String {
        match self {
            Dialect::DuckDb => format!(
                "list_filter(list_transform(string_split({s}, ';'), lambda x: trim(x)), lambda x: x <> '')"
            ),
            Dialect::Spark => {
                format!("filter(transform(split({s}, ';'), x -> trim(x)), x -> x <> '')")
            }
            Dialect::Postgres => format!(
                "ARRAY(SELECT trim(x) FROM unnest(string_to_array({s}, ';')) AS x WHERE trim(x) <> '')"
            ),
        }
    }

    /// The set-returning function that makes one row per list item.
    pub fn unnest(self) -> &'static str {
        match self {
            Dialect::Spark => "explode",
            _ => "unnest",
        }
    }

    /// The ids `id` of a group's rows in order of `key`, as a list.
    pub fn ordered_list(self, id: &str, key: &str) -> String {
        match self {
            Dialect::DuckDb => format!("list({id} ORDER BY {key})"),
            Dialect::Spark => {
                format!(
                    "transform(array_sort(collect_list(struct({key} AS k, {id} AS v))), x -> x.v)"
                )
            }
            Dialect::Postgres => format!("array_agg({id} ORDER BY {key})"),
        }
    }

    /// A NULL list of texts.
    pub fn null_list(self) -> &'static str {
        match self {
            Dialect::DuckDb => "CAST(NULL AS VARCHAR[])",
            Dialect::Spark => "CAST(NULL AS ARRAY<STRING>)",
            Dialect::Postgres => "CAST(NULL AS TEXT[])",
        }
    }

    /// A stage read once, by the next one: a view on DuckDB and Spark, so
    /// the engine computes both in one pass (as tables, DuckDB spent more time
    /// writing the parsing stages out than computing them).
    pub fn step(self, name: &str, query: &str) -> String {
        match self {
            Dialect::Spark => format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{query};\n"),
            Dialect::DuckDb => format!("CREATE OR REPLACE VIEW {name} AS\n{query};\n"),
            // A view would keep `DROP TABLE` of the stage before it from
            // running the script twice in one database.
            Dialect::Postgres => self.create(name, query),
        }
    }

    /// An intermediate stage read by few others: a table on DuckDB and
    /// PostgreSQL, a (lazy) temporary view on Spark, so that a Spark run
    /// starts few jobs.
    /// An empty list of text.
    pub fn empty_list(self) -> &'static str {
        match self {
            Dialect::DuckDb => "CAST([] AS VARCHAR[])",
            Dialect::Spark => "CAST(array() AS ARRAY<STRING>)",
            Dialect::Postgres => "CAST(ARRAY[] AS TEXT[])",
        }
    }

    pub fn view(self, name: &str, query: &str) -> String {
        match self {
            Dialect::Spark => format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{query};\n"),
            _ => self.create(name, query),
        }
    }

    /// A table of the rows of many queries (`parts`, a UNION ALL), through
    /// `outer`, a query that reads them where it says `{src}`. On Spark the
    /// rows are first written to `{name}_rows` a few queries at a time:
    /// Spark gives each query of a union a task that carries the plans of
    /// all of them, so one union of a hundred queries took minutes.
    pub fn create_union(self, name: &str, parts: &[String], outer: &str) -> String {
        const CHUNK: usize = 8;
        match self {
            Dialect::Spark if parts.len() > CHUNK => {
                let rows = format!("{name}_rows");
                let mut s = String::new();
                for (i, chunk) in parts.chunks(CHUNK).enumerate() {
                    let q = chunk.join("\nUNION ALL\n");
                    if i == 0 {
                        s.push_str(&self.create(&rows, &q));
                    } else {
                        s.push_str(&format!("INSERT INTO {rows}\n{q};\n"));
                    }
                }
                s.push_str(&self.create(name, &outer.replace("{src}", &rows)));
                s
            }
            _ => self.create(
                name,
                &outer.replace("{src}", &format!("({})", parts.join("\nUNION ALL\n"))),
            ),
        }
    }

    /// `CREATE … AS` a query: a table. On Spark a Parquet table in the
    /// current database: a cached view would keep its whole lineage, and
    /// Spark analyses a view's text again at every reference, so a deep
    /// chain of stages read several times grew past what the optimizer
    /// could plan (minutes and gigabytes for one script); a table is a
    /// leaf of the plans that read it.
    pub fn create(self, name: &str, query: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CREATE OR REPLACE TABLE {name} AS\n{query};\n"),
            Dialect::Spark => format!(
                "DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} USING parquet AS\n{query};\n"
            ),
            Dialect::Postgres => {
                format!("DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} AS\n{query};\n")
            }
        }
    }
}
