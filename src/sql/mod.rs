//! `sanc compile --to sql`: a checked rule set as one SQL script that reads
//! an events table and writes the findings and event diagnostics that
//! `sanc eval` would report, on DuckDB, Apache Spark or PostgreSQL.
//!
//! The script is compiled from the checked model ([`crate::model`]), never
//! from the syntax: names are resolved, commodity hierarchies flattened to
//! lists of ids and HS prefixes, party sets to lists of the names events may
//! use, unit conversions to exact whole-number multipliers. Stages (each a
//! table; on Spark a Parquet table or a temporary view):
//!
//! 1. `sanc_raw` / `sanc_p*`: the events table's text, trimmed and parsed
//!    (amounts as whole numbers of 10^-10, dates, units, lists);
//! 2. `sanc_vdiag`: what `sanc eval` rejects, with its codes; duplicates;
//! 3. `sanc_ev`: the valid events, with per-rule list flags;
//! 4. per rule: matches, cap windows and running totals, price checks,
//!    reporting deadlines;
//! 5. `sanc_findings` and `sanc_diagnostics`, the results.
//!
//! See docs/scale-out.md for the events table and how to run the script.

pub mod dialect;
mod numbers;

pub use dialect::Dialect;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::exact::{exact, Exact};
use crate::model::{By, Due, Goods, PartyKey, PartySet, Period, Rule, RuleKind, RuleSet};
use crate::units::{builtin_units, plain_amount, Dimension, Unit};
use chrono::NaiveDate;
use num_bigint::BigInt;
use numbers::{lit, pow10, SCALE};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The columns of the events table: the event fields of docs/events.md,
/// each as text (as in a CSV file).
pub fn event_columns() -> Vec<&'static str> {
    let mut v = crate::events::FIELD_NAMES.to_vec();
    // JSON gives parties as one object (`parties`), CSV in columns.
    v.push("parties");
    v
}

/// Event fields the compiled SQL does not read: the JSON `parties`
/// object (a table gives parties in the `party_ROLE` and
/// `party_ROLE_country` columns). An event that gives one is put in the
/// diagnostics table (`sanc::event::out_of_sql_range`), for `sanc eval` to
/// judge, rather than judged without it.
pub fn unread_fields() -> Vec<&'static str> {
    vec!["parties"]
}

/// The fields designation lists are matched on (vessels' names and IMO
/// numbers, parties by role): when the rule set has a list condition the
/// script cannot judge an event on, the event is left to `sanc eval`
/// (`sanc::event::out_of_sql_range` on such a field).
pub fn list_fields() -> Vec<&'static str> {
    crate::events::FIELD_NAMES
        .iter()
        .copied()
        .filter(|f| {
            ((f.starts_with("vessel") || f.starts_with("counterpart_vessel"))
                && !f.ends_with("_flag"))
                || (f.starts_with("party_") && !f.ends_with("_country"))
        })
        .collect()
}

/// The two vessels an event may name: its column prefix and the prefix of
/// the script's parsed columns.
const VESSELS: [(&str, &str); 2] = [("vessel", "v"), ("counterpart_vessel", "cv")];

/// Unicode white space (what Rust's `str::trim` takes away), as the
/// inside of a regular-expression class.
fn white_space_class() -> String {
    "\\t\\n\\x0B\\f\\r \u{85}\u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}".into()
}

/// HS prefixes, each with the codes it leaves out (see
/// [`RuleSet::hs_scope_with`]).
type HsScope = Vec<(String, Vec<String>)>;

/// The amounts an event gives, by column prefix: quantity, price, value,
/// and the bounds of an estimated quantity.
const AMOUNTS: [&str; 5] = ["q", "p", "v", "ql", "qh"];

/// How the script finds its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsSource {
    /// A table or view named `sanc_events` that already exists.
    Table,
    /// Files to read (a path or glob): CSV, Parquet or NDJSON.
    Files { path: String, format: FileFormat },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
    Json,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub dialect: Dialect,
    /// The day reporting deadlines are judged on (`None`: the day the
    /// script runs, `CURRENT_DATE`).
    pub as_of: Option<NaiveDate>,
    pub events: EventsSource,
}

/// A compiled script, with warnings about what it leaves to `sanc eval`.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub script: String,
    pub warnings: Vec<Diagnostic>,
}

/// Compile a rule set; a rule that cannot be compiled exactly is a located
/// error diagnostic (and no script); a condition the script does not
/// judge yet is a located warning (see [`Cx::unsupported`]).
pub fn compile(rules: &RuleSet, opts: &Options) -> Result<Compiled, Vec<Diagnostic>> {
    let mut cx = Cx {
        rules,
        d: opts.dialect,
        diags: Vec::new(),
        warnings: Vec::new(),
        as_of: match opts.as_of {
            Some(d) => opts.dialect.date_lit(d),
            None => "CURRENT_DATE".into(),
        },
    };
    let script = cx.script(opts);
    if cx.diags.is_empty() {
        Ok(Compiled {
            script,
            warnings: cx.warnings,
        })
    } else {
        Err(cx.diags)
    }
}

struct Cx<'r> {
    rules: &'r RuleSet,
    d: Dialect,
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    as_of: String,
}

/// One kind of finding row, as every branch of the findings union writes it.
struct Row<'a> {
    rule: &'a str,
    kind: String,
    event: &'a str,
    date: &'a str,
    window: String,
    limit: String,
    unit: String,
    deadline: String,
}

fn violation_kind(rule: &Rule) -> &'static str {
    match rule.severity {
        Severity::Error => "violation",
        _ => "warning",
    }
}

fn in_list(d: Dialect, items: impl IntoIterator<Item = impl AsRef<str>>) -> Option<String> {
    let v: Vec<String> = items.into_iter().map(|s| d.str(s.as_ref())).collect();
    (!v.is_empty()).then(|| format!("({})", v.join(", ")))
}

/// The accepted words of an event field as an SQL list (`(NULL)`, which
/// nothing is in, when there are none).
fn listed(d: Dialect, words: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    in_list(d, words).unwrap_or_else(|| "(NULL)".into())
}

fn goods_units() -> Vec<Unit> {
    builtin_units()
        .iter()
        .filter_map(|(s, _, _)| crate::units::lookup(s))
        .collect()
}

impl Cx<'_> {
    fn str(&self, s: &str) -> String {
        self.d.str(s)
    }

    fn q(&self, s: &str) -> String {
        self.d.ident(s)
    }

    /// `col IN (…)`, or FALSE for an empty list.
    fn is_in(&self, col: &str, items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
        match in_list(self.d, items) {
            Some(l) => format!("({col} IN {l})"),
            None => "FALSE".into(),
        }
    }

    fn cannot(&self, rule: &Rule, what: String) -> Diagnostic {
        Diagnostic::error(
            Code::CompileUnsupported,
            format!("rule `{}` cannot be compiled to SQL exactly: {what}", rule.id),
        )
        .with_label(rule.keyword, "this rule")
        .with_help("`sanc eval` judges it exactly; evaluate this rule with `sanc eval`, or keep it out of the compiled rule set with `--regime`")
    }

    /// List conditions the script cannot judge exactly: fuzzy matching
    /// (`with … on LIST fuzzy P%`), a similarity of edit distances that
    /// `sanc eval` computes and SQL engines do not compute alike. The
    /// rule is refused with a located error (and no script).
    fn unsupported(&self, rule: &Rule) -> Option<Diagnostic> {
        let c = &rule.conditions;
        let fuzzy = c
            .listed
            .iter()
            .chain(c.provided.as_ref())
            .any(|lc| lc.fuzzy.is_some());
        fuzzy.then(|| {
            self.cannot(
                rule,
                "fuzzy matching of names on a designation list (`fuzzy`) is not compiled to SQL"
                    .into(),
            )
            .with_label(rule.clause_span("with … on"), "fuzzy matching here")
        })
    }

    fn script(&mut self, opts: &Options) -> String {
        let d = self.d;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "-- Compiled by sanc {} from a rule set of {} rules, for {}.\n\
             -- Input: `sanc_events`, one row per event, every column text (docs/scale-out.md):\n\
             --   {}\n\
             -- Output: `sanc_findings` (as `sanc eval --format json` findings) and\n\
             -- `sanc_diagnostics` (events rejected or not evaluable, and remarks).\n\
             -- Reporting deadlines are judged as of {}.",
            env!("CARGO_PKG_VERSION"),
            self.rules.rules.len(),
            d.name(),
            event_columns().join(", "),
            self.as_of
        );
        s.push_str(d.prelude());
        s.push_str(&self.events_source(&opts.events));
        s.push_str(&self.parse_stage());
        s.push_str(&self.validation_stage());
        s.push_str(&self.events_stage());
        let mut cap_rows = Vec::new();
        let mut price_rows = Vec::new();
        let mut plain_rows = Vec::new();
        let mut nediags = Vec::new();
        let mut entries = Vec::new();
        for (i, rule) in self.rules.rules.iter().enumerate() {
            if let Some(e) = self.unsupported(rule) {
                self.diags.push(e);
            }
            // A port call has no contract (src/eval/mod.rs, `port_call`).
            if !matches!(rule.kind, RuleKind::CapPrice { .. })
                && !matches!(rule.goods, Goods::PortCalls)
            {
                nediags.extend(self.undated(rule, i));
            }
            if !matches!(rule.goods, Goods::PortCalls) {
                nediags.extend(self.partyless(rule, i));
            }
            match &rule.kind {
                RuleKind::Ban => plain_rows.push((self.ban(rule, i), false)),
                RuleKind::CapPrice {
                    amount,
                    currency,
                    per_unit,
                } => {
                    let (stmts, rows, diags) = self.price(rule, i, *amount, currency, per_unit);
                    s.push_str(&stmts);
                    price_rows.push(rows);
                    nediags.push(diags);
                }
                RuleKind::Cap { .. } => {
                    if rule.conditions.provided.is_some() {
                        plain_rows.push((self.designated(rule, i), true));
                    }
                    if let Some((stmts, rows, diags, ents)) = self.cap(rule, i) {
                        s.push_str(&stmts);
                        cap_rows.push(rows);
                        nediags.push(diags);
                        entries.push(ents);
                    }
                }
                RuleKind::RequireReport { due } => {
                    plain_rows.push((self.report(rule, i, *due), false))
                }
            }
        }
        nediags.extend(self.imprecise_diags());
        s.push_str(&self.results(cap_rows, price_rows, plain_rows, nediags, entries));
        s
    }

    fn events_source(&self, src: &EventsSource) -> String {
        let d = self.d;
        let cols: Vec<String> = event_columns()
            .iter()
            .map(|c| format!("{} {}", self.q(c), d.text()))
            .collect();
        match src {
            EventsSource::Table => match d {
                // Spark: register `sanc_events` as a view before running the script.
                Dialect::Spark => {
                    "-- `sanc_events` must exist (e.g. a temporary view over Parquet files).\n"
                        .into()
                }
                _ => format!(
                    "CREATE TABLE IF NOT EXISTS sanc_events ({});\n",
                    cols.join(", ")
                ),
            },
            EventsSource::Files { path, format } => {
                let p = self.str(path);
                match (d, format) {
                    // A column the files lack is an absent field: the
                    // files are matched by name to an empty row of every
                    // column.
                    (Dialect::DuckDb, FileFormat::Csv) => format!(
                        "CREATE OR REPLACE VIEW sanc_events AS {} UNION ALL BY NAME SELECT * FROM read_csv({p}, header = true, all_varchar = true, union_by_name = true);\n",
                        self.no_events()
                    ),
                    (Dialect::DuckDb, FileFormat::Parquet) => format!(
                        "CREATE OR REPLACE VIEW sanc_events AS {} UNION ALL BY NAME SELECT * FROM read_parquet({p}, union_by_name = true);\n",
                        self.no_events()
                    ),
                    // Lists (`"via": ["SGP", "MYS"]`) are read as JSON and
                    // joined with `;`, as the table has them.
                    (Dialect::DuckDb, FileFormat::Json) => {
                        let lists = ["via", "covers", "exemptions"];
                        let cols: Vec<String> = event_columns()
                            .iter()
                            .map(|c| {
                                let t = if lists.contains(c) { "JSON" } else { "VARCHAR" };
                                format!("'{c}': '{t}'")
                            })
                            .collect();
                        let select: Vec<String> = event_columns()
                            .iter()
                            .map(|c| {
                                let q = self.q(c);
                                if lists.contains(c) {
                                    format!(
                                        "CASE json_type({q}) WHEN 'ARRAY' THEN array_to_string(CAST({q} AS VARCHAR[]), ';') WHEN 'VARCHAR' THEN {q} ->> '$' ELSE CAST({q} AS VARCHAR) END AS {q}"
                                    )
                                } else {
                                    q
                                }
                            })
                            .collect();
                        format!(
                            "CREATE OR REPLACE VIEW sanc_events AS SELECT {} FROM read_json({p}, format = 'newline_delimited', columns = {{{}}});\n",
                            select.join(", "),
                            cols.join(", ")
                        )
                    }
                    // CSV columns are matched by the header: the files
                    // need every column.
                    (Dialect::Spark, FileFormat::Csv) => format!(
                        "CREATE OR REPLACE TEMPORARY VIEW sanc_events USING csv OPTIONS (header 'true', inferSchema 'false', path {p});\n"
                    ),
                    // Parquet and JSON are read with the table's schema, by
                    // name: a column the files lack is an absent field.
                    (Dialect::Spark, FileFormat::Parquet) => format!(
                        "CREATE OR REPLACE TEMPORARY VIEW sanc_events ({}) USING parquet OPTIONS (path {p});\n",
                        cols.join(", ")
                    ),
                    // A JSON list read as text is its JSON: joined with `;`.
                    (Dialect::Spark, FileFormat::Json) => {
                        let select: Vec<String> = event_columns()
                            .iter()
                            .map(|c| {
                                let q = self.q(c);
                                if ["via", "covers", "exemptions"].contains(c) {
                                    format!(
                                        "CASE WHEN startswith(ltrim({q}), '[') THEN array_join(from_json({q}, 'array<string>'), ';') ELSE {q} END AS {q}"
                                    )
                                } else {
                                    q
                                }
                            })
                            .collect();
                        format!(
                            "CREATE OR REPLACE TEMPORARY VIEW sanc_events_json ({}) USING json OPTIONS (path {p});\n\
                             CREATE OR REPLACE TEMPORARY VIEW sanc_events AS SELECT {} FROM sanc_events_json;\n",
                            cols.join(", "),
                            select.join(", ")
                        )
                    }
                    (Dialect::Postgres, FileFormat::Csv) => format!(
                        "DROP TABLE IF EXISTS sanc_events;\nCREATE TABLE sanc_events ({});\nCOPY sanc_events FROM {p} WITH (FORMAT csv, HEADER true);\n",
                        cols.join(", ")
                    ),
                    (Dialect::Postgres, _) => format!(
                        "-- PostgreSQL reads CSV files only; load {p} into `sanc_events` ({}) first.\nCREATE TABLE IF NOT EXISTS sanc_events ({});\n",
                        event_columns().join(", "),
                        cols.join(", ")
                    ),
                }
            }
        }
    }

    /// A query of no rows with every column of the events table, as text.
    fn no_events(&self) -> String {
        let cols: Vec<String> = event_columns()
            .iter()
            .map(|c| format!("CAST(NULL AS {}) AS {}", self.d.text(), self.q(c)))
            .collect();
        format!("(SELECT {} WHERE FALSE)", cols.join(", "))
    }

    /// Text fields trimmed (empty: absent), then split and parsed.
    fn parse_stage(&self) -> String {
        let d = self.d;
        let mut s = String::new();
        let raw_cols: Vec<String> = event_columns()
            .iter()
            .map(|c| format!("NULLIF(TRIM({}), '') AS f_{c}", d.to_text(&self.q(c))))
            .collect();
        s.push_str(&d.create(
            "sanc_raw",
            &format!(
                "SELECT {} AS rn, {} FROM sanc_events",
                d.row_id(),
                raw_cols.join(", ")
            ),
        ));
        // As `sanc eval` reads dates: a day, or a day and a time (RFC 3339,
        // or without an offset, or hours and minutes after a `T`).
        let hm = "([01][0-9]|2[0-3]):[0-5][0-9]";
        let hms = format!("{hm}:([0-5][0-9]|60)(\\.[0-9]+)?");
        let date_re = format!(
            "^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(([Tt ]{hms}([Zz]|[+-][0-9]{{2}}:[0-9]{{2}}))|([T ]{hms})|(T{hm}))?$"
        );
        let date_re = date_re.as_str();
        let date = |c: &str| {
            format!(
                "CASE WHEN {} THEN {} END",
                d.matches(c, date_re),
                d.try_date(&format!("substr({c}, 1, 10)"))
            )
        };
        let split = |c: &str, g: u32| {
            format!(
                "NULLIF(TRIM(COALESCE({}, '')), '')",
                d.extract(c, "^(\\S+)\\s+(.*)$", g)
            )
        };
        let mut cols = vec!["*".to_string()];
        cols.push(format!("{} AS dt", date("f_date")));
        cols.push(format!("{} AS ld", date("f_loaded")));
        cols.push(format!("{} AS dl", date("f_delivered")));
        cols.push(format!("{} AS cd", date("f_contract_date")));
        for (f, p) in [
            ("f_quantity", "q"),
            ("f_price", "p"),
            ("f_value", "v"),
            ("f_quantity_low", "ql"),
            ("f_quantity_high", "qh"),
        ] {
            cols.push(format!("{} AS {p}a", split(f, 1)));
            cols.push(format!("{} AS {p}u", split(f, 2)));
        }
        s.push_str(&d.step(
            "sanc_p1",
            &format!("SELECT {} FROM sanc_raw", cols.join(", ")),
        ));
        // Amount text: digits before and after the point, the exponent.
        let mut cols = vec!["*".to_string()];
        cols.push(format!(
            "CASE WHEN pu LIKE '%/%' THEN NULLIF(TRIM(COALESCE({}, '')), '') WHEN pu LIKE '% per %' THEN NULLIF(TRIM(COALESCE({}, '')), '') END AS pc",
            d.extract("pu", "^([^/]*)/(.*)$", 1),
            d.extract("pu", "^(.*?) per (.*)$", 1)
        ));
        cols.push(format!(
            "CASE WHEN pu LIKE '%/%' THEN TRIM(COALESCE({}, '')) WHEN pu LIKE '% per %' THEN TRIM(COALESCE({}, '')) END AS pp",
            d.extract("pu", "^([^/]*)/(.*)$", 2),
            d.extract("pu", "^(.*?) per (.*)$", 2)
        ));
        for p in AMOUNTS {
            let a = format!("{p}a");
            let x = format!(
                "(CASE WHEN {a} LIKE '%e%' OR {a} LIKE '%E%' THEN {a} ELSE {} END)",
                d.replace_re(&format!("replace({a}, '_', '')"), "^\\+", "")
            );
            cols.push(format!("{x} AS {p}x"));
        }
        s.push_str(&d.step(
            "sanc_p2",
            &format!("SELECT {} FROM sanc_p1", cols.join(", ")),
        ));
        let mut cols = vec!["*".to_string()];
        for p in AMOUNTS {
            let x = format!("{p}x");
            cols.push(format!(
                "{} AS {p}plain",
                d.matches(&x, "^-?([0-9]+\\.?[0-9]*|\\.[0-9]+)$")
            ));
            cols.push(format!(
                "{} AS {p}sci",
                d.matches(&x, "^-?[0-9]+(\\.[0-9]*)?[eE][-+]?[0-9]+$")
            ));
            cols.push(format!(
                "COALESCE({}, '') AS {p}ip",
                d.extract(&x, "^-?([0-9]*)", 1)
            ));
            cols.push(format!(
                "COALESCE({}, '') AS {p}fp",
                d.extract(&x, "^-?[0-9]*\\.([0-9]*)", 1)
            ));
            cols.push(format!(
                "COALESCE({}, '') AS {p}ex",
                d.extract(&x, "[eE]([-+]?[0-9]+)$", 1)
            ));
        }
        s.push_str(&d.step(
            "sanc_p3",
            &format!("SELECT {} FROM sanc_p2", cols.join(", ")),
        ));
        // Amounts: a status (why not a number) or whole 10^-SCALE units.
        let mut cols = vec!["*".to_string()];
        for p in AMOUNTS {
            let (plain, sci, ip, fp, ex, x) = (
                format!("{p}plain"),
                format!("{p}sci"),
                format!("{p}ip"),
                format!("{p}fp"),
                format!("{p}ex"),
                format!("{p}x"),
            );
            let all = format!("({ip} || {fp})");
            let nonzero = d.matches(&all, "[1-9]");
            let ltrim0 = |e: &str| d.replace_re(e, "^0+", "");
            let shift = format!("(CAST({ex} AS INTEGER) - length({fp}) + {SCALE})");
            let status = format!(
                "CASE WHEN {x} IS NULL THEN NULL \
                 WHEN NOT {plain} AND NOT {sci} THEN 'bad' \
                 WHEN {x} LIKE '-%' AND {nonzero} THEN 'negative' \
                 WHEN {plain} AND (length({fp}) > {SCALE} OR length({}) > {}) THEN 'range' \
                 WHEN {sci} AND length({ex}) > 4 THEN 'range' \
                 WHEN {sci} AND {shift} >= 0 AND {nonzero} AND length({}) + {shift} > {} THEN 'range' \
                 WHEN {sci} AND {shift} < 0 AND (0 - {shift} > length({all}) OR {}) THEN 'range' \
                 END",
                ltrim0(&ip),
                numbers::INT_DIGITS,
                ltrim0(&all),
                numbers::INT_DIGITS + SCALE,
                d.matches(
                    &format!("substr({all}, length({all}) + {shift} + 1)"),
                    "[1-9]"
                ),
            );
            cols.push(format!("{status} AS {p}status"));
        }
        s.push_str(&d.step(
            "sanc_p4",
            &format!("SELECT {} FROM sanc_p3", cols.join(", ")),
        ));
        let mut cols = vec!["*".to_string()];
        for p in AMOUNTS {
            let (plain, ip, fp, ex, st) = (
                format!("{p}plain"),
                format!("{p}ip"),
                format!("{p}fp"),
                format!("{p}ex"),
                format!("{p}status"),
            );
            let all = format!("({ip} || {fp})");
            let shift = format!("(CAST({ex} AS INTEGER) - length({fp}) + {SCALE})");
            let digits = format!(
                "CASE WHEN {plain} THEN {ip} || rpad({fp}, {SCALE}, '0') \
                 WHEN {shift} >= 0 THEN {all} || repeat('0', {shift}) \
                 ELSE substr({all}, 1, length({all}) + {shift}) END"
            );
            cols.push(format!(
                "CASE WHEN {p}a IS NOT NULL AND {st} IS NULL THEN CAST(COALESCE(NULLIF({}, ''), '0') AS {}) END AS {p}i",
                d.replace_re(&format!("({digits})"), "^0+", ""),
                d.int()
            ));
        }
        let units = self.unit_kind_sql();
        for (u, k) in [
            ("qu", "qk"),
            ("pc", "pck"),
            ("pp", "ppk"),
            ("vu", "vk"),
            ("qlu", "qlk"),
            ("qhu", "qhk"),
        ] {
            cols.push(format!("{} AS {k}", units.replace("{u}", u)));
        }
        // Vessels: the text column (an IMO number or a name), then the
        // `_imo`, `_name` and `_flag` columns, which override it.
        for (v, p) in VESSELS {
            let t = format!("f_{v}");
            cols.push(format!(
                "CASE WHEN f_{v}_imo IS NOT NULL THEN {} WHEN {t} IS NOT NULL AND {} THEN {} END AS {p}_imo",
                self.imo_digits(&format!("f_{v}_imo")),
                self.imo_like(&t),
                self.imo_digits(&t)
            ));
            cols.push(format!(
                "COALESCE(f_{v}_name, CASE WHEN NOT {} THEN {t} END) AS {p}_name",
                self.imo_like(&t)
            ));
            cols.push(format!(
                "{} AS {p}_flag",
                self.country_of(&format!("f_{v}_flag"))
            ));
        }
        s.push_str(&d.create(
            "sanc_p",
            &format!("SELECT {} FROM sanc_p4", cols.join(", ")),
        ));
        // List fields, one row per item.
        let lists: Vec<String> = ["via", "covers", "exemptions"]
            .iter()
            .map(|f| {
                format!(
                    "SELECT rn, '{f}' AS field, {}({}) AS item FROM sanc_raw WHERE f_{f} IS NOT NULL",
                    d.unnest(),
                    d.split_list(&format!("f_{f}"))
                )
            })
            .collect();
        s.push_str(&d.view("sanc_items", &lists.join("\nUNION ALL\n")));
        // Parties by role, one row per name (`party_ROLE` is a `;`-list),
        // with the role's country as given.
        let roles: Vec<String> = crate::roles::PartyRole::ALL
            .iter()
            .map(|r| {
                format!(
                    "SELECT rn, '{}' AS role, {}({}) AS item, f_{} AS country FROM sanc_raw WHERE f_{} IS NOT NULL",
                    r.as_str(),
                    d.unnest(),
                    d.split_list(&format!("f_{}", r.column())),
                    r.country_column(),
                    r.column()
                )
            })
            .collect();
        s.push_str(&d.view("sanc_roles0", &roles.join("\nUNION ALL\n")));
        s.push_str(&d.view(
            "sanc_roles",
            &format!(
                "SELECT rn, role, item, country, {} AS given, COALESCE({}, {}) AS nat FROM sanc_roles0",
                self.country_of("country"),
                self.country_of("country"),
                self.own_country("item")
            ),
        ));
        s
    }

    /// `CASE` giving 'goods' or 'money' for a unit symbol `{u}`, NULL if unknown.
    fn unit_kind_sql(&self) -> String {
        let goods: Vec<&str> = builtin_units().iter().map(|(s, _, _)| *s).collect();
        format!(
            "CASE WHEN {{u}} IN {} THEN 'goods' WHEN {{u}} IN {} THEN 'money' END",
            in_list(self.d, &goods).unwrap_or_default(),
            in_list(self.d, crate::iso::CURRENCIES).unwrap_or_default()
        )
    }

    /// Every name an event may give a party: country codes, aliases, entities.
    fn party_names(&self) -> Vec<String> {
        let mut v: Vec<String> = crate::iso::COUNTRIES
            .iter()
            .map(|(c, _)| c.to_string())
            .collect();
        v.extend(self.rules.aliases.keys().cloned());
        v.extend(self.rules.entities.keys().cloned());
        v.sort();
        v.dedup();
        v
    }

    /// Does the text look like an IMO number rather than a vessel's name
    /// ([`crate::roles::looks_like_imo`])?
    fn imo_like(&self, c: &str) -> String {
        self.d.matches(c, "^((IMO|imo|Imo)[ :.-]*)?[0-9]+$")
    }

    /// The seven digits of an IMO number in the text (when it is one).
    fn imo_digits(&self, c: &str) -> String {
        self.d.extract(c, "([0-9]{7})$", 1)
    }

    /// Is the text a valid IMO number, its check digit verified
    /// ([`crate::roles::parse_imo`])?
    fn imo_ok(&self, c: &str) -> String {
        let re = format!(
            "^(IMO|imo|Imo)?[ :.-]*[{}]*[0-9]{{7}}$",
            white_space_class()
        );
        let dg = self.imo_digits(c);
        let digit = |i: usize| format!("CAST(substr({dg}, {i}, 1) AS INTEGER)");
        let sum: Vec<String> = (1..=6)
            .zip([7, 6, 5, 4, 3, 2])
            .map(|(i, w)| format!("{} * {w}", digit(i)))
            .collect();
        format!(
            "CASE WHEN {} THEN ({}) % 10 = {} ELSE FALSE END",
            self.d.matches(c, &re),
            sum.join(" + "),
            digit(7)
        )
    }

    /// The ISO code of a country given by code or alias (a flag, a party's
    /// country), NULL for anything else (as `sanc eval` reads them).
    fn country_of(&self, c: &str) -> String {
        let mut s = format!(
            "CASE WHEN {c} IN {} THEN {c}",
            listed(self.d, crate::iso::COUNTRIES.iter().map(|(c, _)| *c))
        );
        for (a, code) in &self.rules.aliases {
            if !crate::iso::is_country(a) {
                let _ = write!(s, " WHEN {c} = {} THEN {}", self.str(a), self.str(code));
            }
        }
        s.push_str(" END");
        s
    }

    /// The nationality a party's name gives it: a country code, an alias's
    /// code, an entity's country (NULL: an undeclared name).
    fn own_country(&self, c: &str) -> String {
        let mut s = format!(
            "CASE WHEN {c} IN {} THEN {c}",
            listed(self.d, crate::iso::COUNTRIES.iter().map(|(c, _)| *c))
        );
        for (a, code) in &self.rules.aliases {
            if !crate::iso::is_country(a) {
                let _ = write!(s, " WHEN {c} = {} THEN {}", self.str(a), self.str(code));
            }
        }
        for (e, country) in &self.rules.entities {
            if let Some(code) = country {
                if !crate::iso::is_country(e) && !self.rules.aliases.contains_key(e) {
                    let _ = write!(s, " WHEN {c} = {} THEN {}", self.str(e), self.str(code));
                }
            }
        }
        s.push_str(" END");
        s
    }

    fn validation_stage(&self) -> String {
        let d = self.d;
        let names = self.party_names();
        let party_ok = |c: &str| self.is_in(c, &names);
        let mut checks: Vec<(String, Code, &str)> = vec![
            ("f_id IS NULL".into(), Code::EventMissingField, "id"),
            (
                "f_type IS NOT NULL AND f_type NOT IN ('shipment', 'report', 'port_call')".into(),
                Code::EventBadType,
                "type",
            ),
            (
                "f_date IS NOT NULL AND dt IS NULL".into(),
                Code::EventBadDate,
                "date",
            ),
            ("f_date IS NULL".into(), Code::EventMissingField, "date"),
            (
                "f_loaded IS NOT NULL AND ld IS NULL".into(),
                Code::EventBadDate,
                "loaded",
            ),
            (
                "f_delivered IS NOT NULL AND dl IS NULL".into(),
                Code::EventBadDate,
                "delivered",
            ),
            (
                "f_contract_date IS NOT NULL AND cd IS NULL".into(),
                Code::EventBadDate,
                "contract_date",
            ),
            (
                format!(
                    "f_evidence IS NOT NULL AND f_evidence NOT IN {}",
                    listed(
                        d,
                        crate::events::Evidence::ALL
                            .iter()
                            .filter(|e| **e != crate::events::Evidence::Unstated)
                            .map(|e| e.as_str())
                    )
                ),
                Code::EventBadField,
                "evidence",
            ),
            (
                format!(
                    "f_nomenclature IS NOT NULL AND lower(f_nomenclature) NOT IN {}",
                    listed(d, crate::events::NOMENCLATURES.iter().map(|(n, _)| *n))
                ),
                Code::EventBadField,
                "nomenclature",
            ),
            (
                format!(
                    "f_nomenclature IS NOT NULL AND lower(f_nomenclature) IN {}",
                    listed(
                        d,
                        crate::events::NOMENCLATURES
                            .iter()
                            .filter(|(_, national)| *national)
                            .map(|(n, _)| *n)
                    )
                ),
                Code::EventOutOfSqlRange,
                "nomenclature",
            ),
            (
                format!(
                    "f_transfer IS NOT NULL AND lower(f_transfer) NOT IN {}",
                    listed(d, crate::roles::Transfer::ALL.iter().map(|t| t.as_str()))
                ),
                Code::EventBadField,
                "transfer",
            ),
            (
                format!(
                    "f_hs IS NOT NULL AND (NOT {} OR length(f_hs) % 2 = 1)",
                    d.matches("f_hs", "^[0-9]{2,}$")
                ),
                Code::EventBadHsCode,
                "hs",
            ),
        ];
        for (f, p, field) in [
            ("f_quantity", "q", "quantity"),
            ("f_price", "p", "price"),
            ("f_value", "v", "value"),
            ("f_quantity_low", "ql", "quantity_low"),
            ("f_quantity_high", "qh", "quantity_high"),
        ] {
            checks.push((
                format!("{f} IS NOT NULL AND {p}a IS NULL"),
                Code::EventMissingUnit,
                field,
            ));
            checks.push((
                format!("{p}status = 'negative'"),
                Code::EventNegativeQuantity,
                field,
            ));
            checks.push((format!("{p}status = 'bad'"), Code::EventBadAmount, field));
            checks.push((
                format!("{p}status = 'range'"),
                Code::EventOutOfSqlRange,
                field,
            ));
        }
        let ok = |p: &str| format!("{p}a IS NOT NULL AND {p}status IS NULL");
        checks.push((
            format!("{} AND qk IS NULL", ok("q")),
            Code::EventUnknownUnit,
            "quantity",
        ));
        checks.push((
            format!("{} AND qk = 'money'", ok("q")),
            Code::EventWrongUnitKind,
            "quantity",
        ));
        // Bounds of an estimate: quantity_low <= quantity <= quantity_high,
        // in the unit of the quantity.
        let q_ok = format!("COALESCE({} AND qk = 'goods', FALSE)", ok("q"));
        for (b, field, wrong) in [
            ("ql", "quantity_low", "qli > qi"),
            ("qh", "quantity_high", "qhi < qi"),
        ] {
            checks.push((
                format!("{} AND {b}k IS NULL", ok(b)),
                Code::EventUnknownUnit,
                field,
            ));
            checks.push((
                format!("{} AND {b}k = 'money'", ok(b)),
                Code::EventWrongUnitKind,
                field,
            ));
            let b_ok = format!("{} AND {b}k = 'goods'", ok(b));
            checks.push((
                format!("{b_ok} AND NOT {q_ok}"),
                Code::EventMissingField,
                field,
            ));
            checks.push((
                format!("{b_ok} AND {q_ok} AND ({b}u <> qu OR {wrong})"),
                Code::EventBadField,
                field,
            ));
        }
        checks.push((
            format!("{} AND pc IS NULL", ok("p")),
            Code::EventMissingUnit,
            "price",
        ));
        checks.push((
            format!(
                "{} AND pc IS NOT NULL AND (pck IS NULL OR (pck IS NOT NULL AND ppk IS NULL))",
                ok("p")
            ),
            Code::EventUnknownUnit,
            "price",
        ));
        checks.push((
            format!(
                "{} AND pck IS NOT NULL AND ppk IS NOT NULL AND (pck <> 'money' OR ppk = 'money')",
                ok("p")
            ),
            Code::EventWrongUnitKind,
            "price",
        ));
        checks.push((
            format!("{} AND vk IS NULL", ok("v")),
            Code::EventUnknownUnit,
            "value",
        ));
        checks.push((
            format!("{} AND vk = 'goods'", ok("v")),
            Code::EventWrongUnitKind,
            "value",
        ));
        checks.push((
            format!("f_from IS NOT NULL AND NOT {}", party_ok("f_from")),
            Code::EventUnknownParty,
            "from",
        ));
        checks.push((
            format!("f_to IS NOT NULL AND NOT {}", party_ok("f_to")),
            Code::EventUnknownParty,
            "to",
        ));
        // Fields the compiled SQL does not read: the event is left to
        // `sanc eval`, never judged without them.
        for f in unread_fields() {
            checks.push((format!("f_{f} IS NOT NULL"), Code::EventOutOfSqlRange, f));
        }
        // Designation lists: names are normalised in SQL as `sanc eval`
        // normalises them for ASCII text only (transliteration is not
        // reproduced); an event with another name is left to `sanc eval`.
        if !self.list_conditions().is_empty() {
            for f in list_fields() {
                checks.push((
                    format!(
                        "f_{f} IS NOT NULL AND NOT {}",
                        d.matches(&format!("f_{f}"), "^[\\x01-\\x7F]*$")
                    ),
                    Code::EventOutOfSqlRange,
                    f,
                ));
            }
        }
        // Vessels (src/events/vessel.rs). A vessel cell holding a JSON
        // object (an engine reading NDJSON keeps it as text) is left to
        // `sanc eval`: a CSV file would make it a name.
        for (v, _) in VESSELS {
            let t = format!("f_{v}");
            checks.push((
                format!("{t} IS NOT NULL AND {t} LIKE '{{%'"),
                Code::EventOutOfSqlRange,
                v,
            ));
            checks.push((
                format!(
                    "{t} IS NOT NULL AND {} AND NOT {}",
                    self.imo_like(&t),
                    self.imo_ok(&t)
                ),
                Code::EventBadImo,
                v,
            ));
        }
        for f in ["vessel_imo", "counterpart_vessel_imo"] {
            checks.push((
                format!(
                    "f_{f} IS NOT NULL AND NOT {}",
                    self.imo_ok(&format!("f_{f}"))
                ),
                Code::EventBadImo,
                f,
            ));
        }
        for f in ["vessel_flag", "counterpart_vessel_flag"] {
            checks.push((
                format!(
                    "f_{f} IS NOT NULL AND {} IS NULL",
                    self.country_of(&format!("f_{f}"))
                ),
                Code::EventUnknownParty,
                f,
            ));
        }
        checks.push((
            format!("f_port IS NOT NULL AND NOT {}", party_ok("f_port")),
            Code::EventUnknownParty,
            "port",
        ));
        for r in crate::roles::PartyRole::ALL {
            checks.push((
                format!(
                    "f_{} IS NULL AND f_{} IS NOT NULL",
                    r.column(),
                    r.country_column()
                ),
                Code::EventMissingField,
                r.country_column(),
            ));
        }
        let port_call = "f_type = 'port_call'";
        checks.push((
            format!("{port_call} AND f_vessel IS NULL AND f_vessel_imo IS NULL AND f_vessel_name IS NULL AND f_vessel_flag IS NULL"),
            Code::EventMissingField,
            "vessel",
        ));
        checks.push((
            format!("{port_call} AND f_port IS NULL"),
            Code::EventMissingField,
            "port",
        ));
        let shipment = "(f_type IS NULL OR f_type = 'shipment')";
        let report = "f_type = 'report'";
        checks.push((
            format!("{shipment} AND f_commodity IS NULL AND f_hs IS NULL"),
            Code::EventMissingField,
            "commodity",
        ));
        checks.push((
            format!("{shipment} AND f_from IS NULL AND f_to IS NULL"),
            Code::EventMissingField,
            "from",
        ));
        checks.push((
            format!("{report} AND (f_covers IS NULL OR NOT EXISTS (SELECT 1 FROM sanc_items i WHERE i.rn = sanc_p.rn AND i.field = 'covers'))"),
            Code::EventMissingField,
            "covers",
        ));
        checks.push((
            format!("{report} AND f_reporter IS NULL"),
            Code::EventMissingField,
            "reporter",
        ));
        let branch = |(cond, code, field): &(String, Code, &str)| {
            format!(
                "SELECT rn, f_id AS event, '{}' AS code, '{field}' AS field FROM sanc_p WHERE {cond}",
                code.as_str()
            )
        };
        let mut parts: Vec<String> = if d == Dialect::Spark {
            // Spark plans each branch of a union as a scan of its own (and a
            // task that carries the plans of all of them): the checks
            // without a subquery are one scan of the events, each event's
            // problems an exploded list.
            let (simple, sub): (Vec<_>, Vec<_>) = checks
                .iter()
                .partition(|(cond, _, _)| !cond.contains("SELECT"));
            let hits: Vec<String> = simple
                .iter()
                .map(|(cond, code, field)| {
                    format!(
                        "CASE WHEN {cond} THEN named_struct('code', '{}', 'field', '{field}') END",
                        code.as_str()
                    )
                })
                .collect();
            let mut v = vec![format!(
                "SELECT rn, event, p.code, p.field FROM (SELECT rn, f_id AS event, explode(filter(array({}), x -> x IS NOT NULL)) AS p FROM sanc_p) e",
                hits.join(", ")
            )];
            v.extend(sub.into_iter().map(branch));
            v
        } else {
            checks.iter().map(branch).collect()
        };
        parts.push(format!(
            "SELECT r.rn, r.f_id AS event, '{}' AS code, 'via' AS field FROM sanc_items i JOIN sanc_raw r ON r.rn = i.rn WHERE i.field = 'via' AND NOT {}",
            Code::EventUnknownParty.as_str(),
            party_ok("i.item")
        ));
        // Parties by role: a country that is none; a code-like name
        // (three capitals) the rules do not know, when its country is
        // right (as `sanc eval` reads `party_ROLE`).
        parts.push(format!(
            "SELECT r.rn, r.f_id AS event, '{}' AS code, 'party_' || i.role || '_country' AS field FROM sanc_roles i JOIN sanc_raw r ON r.rn = i.rn WHERE i.country IS NOT NULL AND i.given IS NULL",
            Code::EventUnknownParty.as_str(),
        ));
        parts.push(format!(
            "SELECT r.rn, r.f_id AS event, '{}' AS code, 'party_' || i.role AS field FROM sanc_roles i JOIN sanc_raw r ON r.rn = i.rn WHERE (i.country IS NULL OR i.given IS NOT NULL) AND {} AND NOT {}",
            Code::EventUnknownParty.as_str(),
            d.matches("i.item", "^[A-Z]{3}$"),
            party_ok("i.item")
        ));
        // Read twice: a table on Spark too.
        let mut s = d.create("sanc_vdiag", &parts.join("\nUNION ALL\n"));
        // Valid events (ids may still repeat), then duplicates.
        s.push_str(&d.create(
            "sanc_valid0",
            "SELECT * FROM sanc_p WHERE rn NOT IN (SELECT rn FROM sanc_vdiag)",
        ));
        s.push_str(&d.view(
            "sanc_dups",
            "SELECT f_id AS id, MIN(rn) AS rn FROM sanc_valid0 GROUP BY f_id HAVING COUNT(*) > 1",
        ));
        s
    }

    fn commodity_case(&self) -> String {
        let mut s = String::from("CASE f_commodity");
        for (i, c) in self.rules.commodities.iter().enumerate() {
            let _ = write!(s, " WHEN {} THEN {i}", self.str(&c.name));
        }
        s.push_str(" END");
        if self.rules.commodities.is_empty() {
            return "CAST(NULL AS INTEGER)".into();
        }
        s
    }

    /// The most specific declared commodity an HS code falls under.
    fn hs_commodity_case(&self) -> String {
        let mut all: Vec<(usize, usize, &str)> = Vec::new();
        for (i, c) in self.rules.commodities.iter().enumerate() {
            for h in &c.hs {
                all.push((h.len(), i, h));
            }
        }
        let except = |i: usize| {
            let x: Vec<String> = self
                .rules
                .commodities
                .get(i)
                .map(|c| {
                    c.except
                        .iter()
                        .map(|x| format!("f_hs LIKE '{x}%'"))
                        .collect()
                })
                .unwrap_or_default();
            if x.is_empty() {
                String::new()
            } else {
                format!(" AND NOT ({})", x.join(" OR "))
            }
        };
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if all.is_empty() {
            return "CAST(NULL AS INTEGER)".into();
        }
        let mut s = String::from("CASE");
        for (_, i, h) in all {
            let _ = write!(s, " WHEN f_hs LIKE '{h}%'{} THEN {i}", except(i));
        }
        s.push_str(" END");
        s
    }

    /// The names a party set accepts, as events write them.
    fn names_of(&self, set: &BTreeSet<PartyKey>) -> Vec<String> {
        let mut v = Vec::new();
        for k in set {
            if let PartyKey::Country(c) = k {
                v.push(c.to_string());
            }
        }
        for (a, code) in &self.rules.aliases {
            if set.contains(&PartyKey::Country(code.as_str().into())) {
                v.push(a.clone());
            }
        }
        for (e, country) in &self.rules.entities {
            if set.contains(&PartyKey::Entity(e.as_str().into()))
                || country
                    .as_ref()
                    .is_some_and(|c| set.contains(&PartyKey::Country(c.as_str().into())))
            {
                v.push(e.clone());
            }
        }
        v.sort();
        v.dedup();
        v
    }

    /// The countries of a party set (flags and nationalities are countries).
    fn countries(set: &BTreeSet<PartyKey>) -> Vec<String> {
        set.iter()
            .filter_map(|k| match k {
                PartyKey::Country(c) => Some(c.to_string()),
                PartyKey::Entity(_) => None,
            })
            .collect()
    }

    /// The rule set's list conditions: the flag column each sets on
    /// `sanc_ev` (`lst_RULE_K` for `with … on`, `prov_RULE` for `provided
    /// no … on`) and the condition.
    fn list_conditions(&self) -> Vec<(String, &crate::model::ListCondition)> {
        let mut v = Vec::new();
        for (i, r) in self.rules.rules.iter().enumerate() {
            for (k, lc) in r.conditions.listed.iter().enumerate() {
                v.push((format!("lst_{i}_{k}"), lc));
            }
            if let Some(lc) = &r.conditions.provided {
                v.push((format!("prov_{i}"), lc));
            }
        }
        v
    }

    /// Both keys of a name as `sanc eval` matches it on lists
    /// ([`crate::lists::normalize::keys`]), for an ASCII name `x` (others
    /// are left to `sanc eval`, see [`Cx::validation_stage`]): (sorted,
    /// compact); empty for a name with no words.
    fn name_keys(&self, x: &str) -> (String, String) {
        let d = self.d;
        // `&` is the word `and`; apostrophes join; lower case; anything
        // else but letters and digits separates words.
        let t = format!(
            "lower(replace(replace({x}, '&', ' and '), {}, ''))",
            self.str("'")
        );
        let t = d.replace_all(&t, "[^a-z0-9]+", " ");
        // A run of single letters is one word (`l l c` is `llc`): each
        // word between spaces of its own, single letters marked `<x>`,
        // the marks between two of them taken out.
        let t = format!("(' ' || replace(trim({t}), ' ', '  ') || ' ')");
        let t = d.replace_all(&t, " ([a-z]) ", "<\\1>");
        let t = format!("replace(replace(replace({t}, '><', ''), '<', ' '), '>', ' ')");
        let t = d.replace_all(&t, " +", " ");
        let mut map = String::from("CASE w");
        for (w, c) in crate::lists::normalize::CANONICAL_WORDS {
            let _ = write!(map, " WHEN {} THEN {}", self.str(w), self.str(c));
        }
        map.push_str(" ELSE w END");
        let (compact, sorted) = d.word_keys(&format!("trim({t})"), &map);
        (sorted, compact)
    }

    /// Designation lists as tables (`sanc_list_N`: `kind` `imo` or `name`,
    /// the IMO number or a name's key as `sanc eval` normalises it, the
    /// listing and delisting days), and the events' matches, as flags per
    /// list condition (`sanc_lflags`).
    fn lists_stage(&self) -> String {
        let d = self.d;
        let conds = self.list_conditions();
        if conds.is_empty() {
            return String::new();
        }
        let mut s = String::new();
        let names: Vec<&String> = self.rules.lists.keys().collect();
        let date = |x: Option<NaiveDate>| match x {
            Some(x) => format!("CAST('{x}' AS DATE)"),
            None => "CAST(NULL AS DATE)".into(),
        };
        for (j, name) in names.iter().enumerate() {
            if !conds.iter().any(|(_, lc)| lc.list == **name) {
                continue;
            }
            let mut rows: BTreeSet<(String, String, String, String)> = BTreeSet::new();
            if let Some(list) = self.rules.lists.get(*name).and_then(|l| l.data.as_deref()) {
                for e in &list.entries {
                    let (lo, hi) = (date(e.listed_on), date(e.delisted_on));
                    for imo in &e.imo {
                        rows.insert(("imo".into(), format!("{imo:07}"), lo.clone(), hi.clone()));
                    }
                    for (n, _) in crate::lists::entry_names(e) {
                        if let Some((sorted, compact)) = crate::lists::normalize::keys(&n) {
                            for k in [sorted, compact] {
                                rows.insert(("name".into(), k, lo.clone(), hi.clone()));
                            }
                        }
                    }
                }
            }
            let q = if rows.is_empty() {
                format!(
                    "SELECT CAST(NULL AS {t}) AS kind, CAST(NULL AS {t}) AS lkey, CAST(NULL AS DATE) AS lo, CAST(NULL AS DATE) AS hi FROM (SELECT 1 AS x) z WHERE FALSE",
                    t = d.text()
                )
            } else {
                let values: Vec<String> = rows
                    .iter()
                    .map(|(k, v, lo, hi)| format!("({}, {}, {lo}, {hi})", self.str(k), self.str(v)))
                    .collect();
                format!(
                    "SELECT * FROM (VALUES {}) AS t(kind, lkey, lo, hi)",
                    values.join(",\n")
                )
            };
            s.push_str(&d.create(&format!("sanc_list_{j}"), &q));
        }
        // The names lists are matched on: vessels' names and parties by
        // role, with an entity's declared title (src/eval/conditions.rs).
        let mut title_s = String::from("CASE WHEN who = 'vessel' THEN NULL");
        let mut title_c = title_s.clone();
        for e in self.rules.entities.keys() {
            let Some(title) = self
                .rules
                .declarations
                .get(e.as_str())
                .and_then(|x| x.title.as_deref())
            else {
                continue;
            };
            if crate::iso::is_country(e) || self.rules.aliases.contains_key(e) {
                continue;
            }
            if let Some((sorted, compact)) = crate::lists::normalize::keys(title) {
                let _ = write!(
                    title_s,
                    " WHEN nm = {} THEN {}",
                    self.str(e),
                    self.str(&sorted)
                );
                let _ = write!(
                    title_c,
                    " WHEN nm = {} THEN {}",
                    self.str(e),
                    self.str(&compact)
                );
            }
        }
        title_s.push_str(" END");
        title_c.push_str(" END");
        s.push_str(&d.view(
            "sanc_lnames",
            "SELECT rn, 'vessel' AS who, v_name AS nm FROM sanc_valid0 WHERE v_name IS NOT NULL\n\
             UNION ALL SELECT rn, 'vessel' AS who, cv_name AS nm FROM sanc_valid0 WHERE cv_name IS NOT NULL\n\
             UNION ALL SELECT rn, role AS who, item AS nm FROM sanc_roles WHERE rn IN (SELECT rn FROM sanc_valid0)",
        ));
        let (sorted, compact) = self.name_keys("nm");
        s.push_str(&d.create(
            "sanc_lkeys",
            &format!(
                "SELECT rn, who, {sorted} AS ks, {compact} AS kc, {title_s} AS ts, {title_c} AS tc FROM sanc_lnames"
            ),
        ));
        let mut hits = Vec::new();
        for (flag, lc) in &conds {
            let Some(j) = names.iter().position(|n| **n == lc.list) else {
                continue;
            };
            let listed = "(l.lo IS NULL OR l.lo <= e.dt) AND (l.hi IS NULL OR e.dt < l.hi)";
            let whos: Vec<&str> = crate::roles::PartyRole::ALL
                .iter()
                .filter(|r| lc.who.includes(crate::roles::Participant::Role(**r)))
                .map(|r| r.as_str())
                .chain(
                    lc.who
                        .includes(crate::roles::Participant::Vessel)
                        .then_some("vessel"),
                )
                .collect();
            hits.push(format!(
                "SELECT n.rn, '{flag}' AS flag FROM sanc_lkeys n JOIN sanc_valid0 e ON e.rn = n.rn JOIN sanc_list_{j} l ON l.kind = 'name' AND l.lkey IN (n.ks, n.kc, n.ts, n.tc) WHERE {} AND {listed}",
                self.is_in("n.who", &whos)
            ));
            if lc.who.includes(crate::roles::Participant::Vessel) {
                hits.push(format!(
                    "SELECT e.rn, '{flag}' AS flag FROM sanc_valid0 e JOIN sanc_list_{j} l ON l.kind = 'imo' AND (l.lkey = e.v_imo OR l.lkey = e.cv_imo) WHERE {listed}"
                ));
            }
        }
        if hits.is_empty() {
            hits.push("SELECT rn, '' AS flag FROM sanc_valid0 WHERE FALSE".into());
        }
        let cols: Vec<String> = conds
            .iter()
            .map(|(flag, _)| format!("MAX(CASE WHEN flag = '{flag}' THEN 1 ELSE 0 END) AS {flag}"))
            .collect();
        s.push_str(&d.create(
            "sanc_lflags",
            &format!(
                "SELECT rn, {} FROM ({}) h GROUP BY rn",
                cols.join(", "),
                hits.join("\nUNION ALL\n")
            ),
        ));
        s
    }

    fn events_stage(&self) -> String {
        let d = self.d;
        let mut flags =
            vec!["MAX(CASE WHEN field = 'via' THEN 1 ELSE 0 END) AS has_via".to_string()];
        for (i, r) in self.rules.rules.iter().enumerate() {
            if let Some(PartySet::Of(set)) = &r.via {
                flags.push(format!(
                    "MAX(CASE WHEN field = 'via' AND {} THEN 1 ELSE 0 END) AS via_{i}",
                    self.is_in("item", self.names_of(set))
                ));
            }
            if !r.exemptions.is_empty() {
                flags.push(format!(
                    "MAX(CASE WHEN field = 'exemptions' AND {} THEN 1 ELSE 0 END) AS ex_{i}",
                    self.is_in("item", &r.exemptions)
                ));
            }
        }
        let mut s = d.view(
            "sanc_flags",
            &format!(
                "SELECT rn, {} FROM sanc_items GROUP BY rn",
                flags.join(", ")
            ),
        );
        let mut flag_cols: Vec<String> = flags
            .iter()
            .filter_map(|f| f.rsplit(" AS ").next())
            .map(|n| format!("COALESCE(g.{n}, 0) AS {n}"))
            .collect();
        // `with ROLE in P`: does a party in one of the roles have that
        // nationality (src/eval/conditions.rs)?
        let mut role_flags = vec!["COUNT(*) AS n_parties".to_string()];
        for (i, r) in self.rules.rules.iter().enumerate() {
            for (k, (who, set)) in r.conditions.nationality.iter().enumerate() {
                let roles: Vec<&str> = crate::roles::PartyRole::ALL
                    .iter()
                    .filter(|p| who.includes(crate::roles::Participant::Role(**p)))
                    .map(|p| p.as_str())
                    .collect();
                let holds = match set {
                    PartySet::Any => format!(
                        "(given IS NOT NULL OR {})",
                        self.is_in("item", self.party_names())
                    ),
                    PartySet::Of(keys) => format!(
                        "({} OR {})",
                        self.is_in("item", self.names_of(keys)),
                        self.is_in("nat", Self::countries(keys))
                    ),
                };
                role_flags.push(format!(
                    "MAX(CASE WHEN {} AND {holds} THEN 1 ELSE 0 END) AS nat_{i}_{k}",
                    self.is_in("role", &roles)
                ));
            }
        }
        s.push_str(&d.view(
            "sanc_rflags",
            &format!(
                "SELECT rn, {} FROM sanc_roles GROUP BY rn",
                role_flags.join(", ")
            ),
        ));
        flag_cols.extend(
            role_flags
                .iter()
                .skip(1)
                .filter_map(|f| f.rsplit(" AS ").next())
                .map(|n| format!("COALESCE(rf.{n}, 0) AS {n}")),
        );
        let list_conds = self.list_conditions();
        let list_join = if list_conds.is_empty() {
            ""
        } else {
            s.push_str(&self.lists_stage());
            flag_cols.extend(
                list_conds
                    .iter()
                    .map(|(n, _)| format!("COALESCE(lf.{n}, 0) AS {n}")),
            );
            " LEFT JOIN sanc_lflags lf ON lf.rn = p.rn"
        };
        s.push_str(&d.create(
            "sanc_ev",
            &format!(
                "SELECT p.rn, p.f_id AS id, COALESCE(p.f_type, 'shipment') AS typ, p.dt, {} AS dn, p.ld, p.dl, p.cd, lower(p.f_transfer) AS tr, \
                 p.f_commodity, p.f_hs AS hs, p.f_from, p.f_to, p.qi, p.qu, p.pi, p.pc, p.pp, p.vi, p.vu, \
                 p.v_imo, p.v_name, p.v_flag, p.cv_imo, p.cv_name, p.cv_flag, p.f_port AS port, \
                 {} AS cid, CASE WHEN {} IS NOT NULL THEN {} WHEN p.f_hs IS NOT NULL THEN {} END AS ctx, {} \
                 FROM sanc_valid0 p LEFT JOIN sanc_flags g ON g.rn = p.rn LEFT JOIN sanc_rflags rf ON rf.rn = p.rn{list_join} \
                 WHERE p.f_id NOT IN (SELECT id FROM sanc_dups)",
                d.day_number("p.dt"),
                self.commodity_case().replace("f_commodity", "p.f_commodity"),
                self.commodity_case().replace("f_commodity", "p.f_commodity"),
                self.commodity_case().replace("f_commodity", "p.f_commodity"),
                self.hs_commodity_case().replace("f_hs", "p.f_hs"),
                flag_cols.join(", ")
            ),
        ));
        s
    }

    /// A rule's HS prefixes, each with the codes it leaves out (`except`),
    /// and the commodities it covers by name (`None`: any goods; port
    /// calls are refused before this is asked).
    fn scope(&self, rule: &Rule) -> Option<(Vec<usize>, HsScope)> {
        let children = self.rules.children_index();
        match &rule.goods {
            Goods::Any | Goods::PortCalls => None,
            Goods::Hs(codes) => Some((
                Vec::new(),
                codes.iter().map(|c| (c.clone(), Vec::new())).collect(),
            )),
            Goods::Commodity(c) => Some((
                self.rules.subtree(&children, *c),
                self.rules.hs_scope_with(&children, *c),
            )),
        }
    }

    /// `col` is an HS code within the scope (see [`crate::model::in_hs_scope`]).
    fn in_scope_sql(col: &str, scope: &[(String, Vec<String>)]) -> String {
        if scope.is_empty() {
            return "FALSE".into();
        }
        scope
            .iter()
            .map(|(p, except)| {
                if except.is_empty() {
                    format!("{col} LIKE '{p}%'")
                } else {
                    let x: Vec<String> = except
                        .iter()
                        .map(|x| format!("{col} LIKE '{x}%'"))
                        .collect();
                    format!("({col} LIKE '{p}%' AND NOT ({}))", x.join(" OR "))
                }
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    }

    /// Do the rule's goods cover the event's (`sanc_ev` columns)?
    fn covers(&self, rule: &Rule) -> String {
        let Some((subtree, scope)) = self.scope(rule) else {
            return if matches!(rule.goods, Goods::PortCalls) {
                "FALSE".into()
            } else {
                "TRUE".into()
            };
        };
        let whole: Vec<usize> = self
            .rules
            .commodities
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                !c.hs.is_empty() && c.hs.iter().all(|h| crate::model::in_hs_scope(&scope, h))
            })
            .map(|(i, _)| i)
            .collect();
        let ids = |v: &[usize]| {
            if v.is_empty() {
                "FALSE".to_string()
            } else {
                format!(
                    "cid IN ({})",
                    v.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        format!(
            "(({}) OR (hs IS NOT NULL AND ({})) OR (hs IS NULL AND {}))",
            ids(&subtree),
            Self::in_scope_sql("hs", &scope),
            ids(&whole)
        )
    }

    /// The codes less precise than a rule's lines: the heads (two digits
    /// or more) of its HS prefixes, shorter than the prefix.
    fn coarser_codes(&self, rule: &Rule) -> Vec<String> {
        let mut v: Vec<String> = self
            .scope(rule)
            .map(|(_, scope)| {
                scope
                    .iter()
                    .flat_map(|(p, _)| (2..p.len()).filter_map(|n| p.get(..n).map(str::to_string)))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.dedup();
        v
    }

    /// Events whose HS code is less precise than the lines of a rule that
    /// would otherwise apply (`sanc::event::imprecise_code`): bans always;
    /// other rules when no rule of their regime judged the event.
    fn imprecise_diags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.rules.iter().enumerate() {
            let heads = self.coarser_codes(rule);
            if heads.is_empty() {
                continue;
            }
            // NULL (a column not given) is false: NOT must not make it unknown.
            let mut cond = format!(
                "typ = 'shipment' AND {} AND {} AND {} AND NOT COALESCE({}, FALSE)",
                self.is_in("hs", &heads),
                self.applies(rule, i),
                self.conditions(rule, i),
                self.covers(rule)
            );
            if !matches!(rule.kind, RuleKind::Ban) {
                for (j, other) in self.rules.rules.iter().enumerate() {
                    if other.regime == rule.regime {
                        let _ = write!(
                            cond,
                            " AND NOT COALESCE(({}), FALSE)",
                            self.matching(other, j)
                        );
                    }
                }
            }
            out.push(self.ne_diag(rule, &cond, Code::EventImpreciseCode, "hs", "sanc_ev"));
        }
        out
    }

    /// Does the rule apply to the event, goods aside: dates, parties,
    /// exemptions, wind-down?
    fn applies(&self, rule: &Rule, i: usize) -> String {
        self.applies_without(rule, i, None)
    }

    /// [`Self::applies`], leaving out the scope on one side (`f_from` or
    /// `f_to`), as `sanc eval`'s `missing_party` does.
    fn applies_without(&self, rule: &Rule, i: usize, side: Option<&str>) -> String {
        let d = self.d;
        let mut c = Vec::new();
        if let Some(e) = rule.effective {
            c.push(format!("dt >= {}", d.date_lit(e)));
        }
        if let Some(u) = rule.until {
            c.push(format!("dt <= {}", d.date_lit(u)));
        }
        for (set, col) in [(&rule.from, "f_from"), (&rule.to, "f_to")] {
            if side == Some(col) {
                continue;
            }
            match set {
                None => {}
                Some(PartySet::Any) => c.push(format!("{col} IS NOT NULL")),
                Some(PartySet::Of(s)) => c.push(self.is_in(col, self.names_of(s))),
            }
        }
        match &rule.via {
            None => {}
            Some(PartySet::Any) => c.push("has_via = 1".into()),
            Some(PartySet::Of(_)) => c.push(format!("via_{i} = 1")),
        }
        if !rule.exemptions.is_empty() {
            c.push(format!("ex_{i} = 0"));
        }
        // `unless by MODE transfer`: the event does not say it moved so.
        if let Some(t) = rule.unless_transfer {
            c.push(format!("NOT COALESCE(tr = {}, FALSE)", d.str(t.as_str())));
        }
        if let Some(before) = rule.contracted_before {
            c.push(format!(
                "NOT (cd IS NOT NULL AND cd < {} AND {})",
                d.date_lit(before),
                self.contract_window(rule)
            ));
        }
        if let Some((lb, db)) = rule.wind_down {
            c.push(format!(
                "NOT (ld IS NOT NULL AND dl IS NOT NULL AND ld < {} AND dl < {})",
                d.date_lit(lb),
                d.date_lit(db)
            ));
        }
        if c.is_empty() {
            "TRUE".into()
        } else {
            format!("({})", c.join(" AND "))
        }
    }

    /// `AND cd IS NOT NULL` for a rule that leaves out old contracts: an
    /// event without a contract date is not evaluable for it (see
    /// [`Cx::undated`]).
    fn dated(&self, rule: &Rule) -> String {
        if rule.contracted_before.is_some() && !matches!(rule.goods, Goods::PortCalls) {
            format!(" AND NOT (cd IS NULL AND {})", self.contract_window(rule))
        } else {
            String::new()
        }
    }

    /// Is the cargo delivered within the window `unless contracted before
    /// … and delivered before D2` leaves old contracts (always without
    /// `and delivered`)? The delivery day is `delivered`, or the date.
    fn contract_window(&self, rule: &Rule) -> String {
        match rule.contract_delivered_before {
            Some(end) => format!("COALESCE(dl, dt) < {}", self.d.date_lit(end)),
            None => "TRUE".into(),
        }
    }

    /// Shipments a rule scoped to a destination (origin) would judge
    /// whatever it were, that name none: not evaluable for it (see
    /// `missing_party` in src/eval). A shipment names at least one side,
    /// and `to` is asked first, as there.
    fn partyless(&self, rule: &Rule, i: usize) -> Vec<String> {
        let mut out = Vec::new();
        for (set, col, field) in [(&rule.to, "f_to", "to"), (&rule.from, "f_from", "from")] {
            if set.is_none() {
                continue;
            }
            let cond = format!(
                "typ = 'shipment' AND {col} IS NULL AND {} AND {} AND {}",
                self.covers(rule),
                self.applies_without(rule, i, Some(col)),
                self.conditions(rule, i)
            );
            out.push(self.ne_diag(rule, &cond, Code::EventMissingParty, field, "sanc_ev"));
        }
        out
    }

    /// Events a rule that leaves out old contracts would judge, with no
    /// contract date: not evaluable for it.
    fn undated(&self, rule: &Rule, i: usize) -> Option<String> {
        rule.contracted_before.map(|_| {
            self.ne_diag(
                rule,
                &format!(
                    "{} AND cd IS NULL AND {}",
                    self.matching(rule, i),
                    self.contract_window(rule)
                ),
                Code::EventMissingContractDate,
                "contract_date",
                "sanc_ev",
            )
        })
    }

    /// The rule's conditions besides goods, parties and dates (as
    /// `sanc eval` checks them after [`Cx::applies`], src/eval/conditions.rs):
    /// `by MODE transfer`, `with vessel flagged P` (the vessel or the
    /// counterpart vessel flies a flag of P), `with ROLE in P` (a party in
    /// one of the roles has that nationality), `with … on LIST` (see
    /// [`Cx::lists_stage`]).
    fn conditions(&self, rule: &Rule, i: usize) -> String {
        let c = &rule.conditions;
        let mut v = Vec::new();
        if let Some(t) = c.transfer {
            v.push(format!("COALESCE(tr = {}, FALSE)", self.d.str(t.as_str())));
        }
        for (_, set) in &c.flagged {
            v.push(match set {
                PartySet::Any => "(v_flag IS NOT NULL OR cv_flag IS NOT NULL)".to_string(),
                PartySet::Of(keys) => {
                    let codes = Self::countries(keys);
                    format!(
                        "(COALESCE({}, FALSE) OR COALESCE({}, FALSE))",
                        self.is_in("v_flag", &codes),
                        self.is_in("cv_flag", &codes)
                    )
                }
            });
        }
        for k in 0..c.nationality.len() {
            v.push(format!("nat_{i}_{k} = 1"));
        }
        for k in 0..c.listed.len() {
            v.push(format!("lst_{i}_{k} = 1"));
        }
        if v.is_empty() {
            "TRUE".into()
        } else {
            format!("({})", v.join(" AND "))
        }
    }

    /// A port call a `ban port calls` rule judges (src/eval/mod.rs,
    /// `port_call`): in force on its date, its port in the rule's `to`,
    /// no exemption of the rule claimed, and the conditions.
    fn port_call_matching(&self, rule: &Rule, i: usize) -> String {
        let d = self.d;
        let mut c = vec!["typ = 'port_call'".to_string()];
        if let Some(e) = rule.effective {
            c.push(format!("dt >= {}", d.date_lit(e)));
        }
        if let Some(u) = rule.until {
            c.push(format!("dt <= {}", d.date_lit(u)));
        }
        match &rule.to {
            None => {}
            Some(PartySet::Any) => c.push("port IS NOT NULL".into()),
            Some(PartySet::Of(s)) => c.push(self.is_in("port", self.names_of(s))),
        }
        if !rule.exemptions.is_empty() {
            c.push(format!("ex_{i} = 0"));
        }
        c.push(self.conditions(rule, i));
        c.join(" AND ")
    }

    fn matching(&self, rule: &Rule, i: usize) -> String {
        if matches!(rule.goods, Goods::PortCalls) {
            return self.port_call_matching(rule, i);
        }
        format!(
            "typ = 'shipment' AND {} AND {} AND {}",
            self.covers(rule),
            self.applies(rule, i),
            self.conditions(rule, i)
        )
    }

    fn row_sql(&self, r: &Row) -> String {
        let d = self.d;
        format!(
            "{} AS {}, {} AS {}, {} AS {}, {} AS {}, {} AS {}, {} AS {}, {} AS {}, {} AS {}",
            self.str(r.rule),
            self.q("rule"),
            r.kind,
            self.q("kind"),
            r.event,
            self.q("event"),
            r.date,
            self.q("date"),
            r.window,
            self.q("window"),
            r.limit,
            self.q("limit"),
            r.unit,
            self.q("unit"),
            r.deadline,
            self.q("deadline"),
        )
        .replace("{text}", d.text())
    }

    fn null_text(&self) -> String {
        format!("CAST(NULL AS {})", self.d.text())
    }

    fn cite(&self, rule: &Rule) -> String {
        match &rule.cite {
            Some(c) => self.str(c),
            None => self.null_text(),
        }
    }

    fn ban(&self, rule: &Rule, i: usize) -> String {
        let row = Row {
            rule: &rule.id,
            kind: self.str(violation_kind(rule)),
            event: "id",
            date: "dt",
            window: self.null_text(),
            limit: self.null_text(),
            unit: self.null_text(),
            deadline: "CAST(NULL AS DATE)".into(),
        };
        format!(
            "SELECT {}, {} AS cite FROM sanc_ev WHERE {}{}",
            self.row_sql(&row),
            self.cite(rule),
            self.matching(rule, i),
            self.dated(rule)
        )
    }

    /// `provided no … on LIST`: a supply the cap judges, with a listed
    /// party, is a finding of its own (and still counts toward the cap).
    fn designated(&self, rule: &Rule, i: usize) -> String {
        format!("{} AND prov_{i} = 1", self.ban(rule, i))
    }

    fn report(&self, rule: &Rule, i: usize, due: Due) -> String {
        let kind = self.str(violation_kind(rule));
        let row = Row {
            rule: &rule.id,
            kind: format!(
                "CASE WHEN first_report IS NULL AND {} <= deadline THEN 'warning' ELSE {kind} END",
                self.as_of
            ),
            event: "id",
            date: "dt",
            window: self.null_text(),
            limit: self.null_text(),
            unit: self.null_text(),
            deadline: "deadline".into(),
        };
        format!(
            "SELECT {}, {} AS cite FROM (SELECT s.id, s.dt, s.deadline, \
             (SELECT MIN(c.rdt) FROM sanc_cov c WHERE c.cid = s.id AND c.rdt >= s.dt) AS first_report \
             FROM (SELECT id, dt, {} AS deadline FROM sanc_ev WHERE {}{}) s) x \
             WHERE first_report IS NULL OR first_report > deadline",
            self.row_sql(&row),
            self.cite(rule),
            self.deadline_sql(due),
            self.matching(rule, i),
            self.dated(rule)
        )
    }

    /// The last day a report on a shipment of day `dt` is on time, as
    /// [`Due::deadline`] computes it.
    fn deadline_sql(&self, due: Due) -> String {
        let d = self.d;
        match due {
            Due::Within(n) => d.add_days("dt", &n.to_string()),
            Due::MonthlyBy(n) => {
                let next = d.add_months(
                    &format!(
                        "make_date({}, {}, 1)",
                        d.part("YEAR", "dt"),
                        d.part("MONTH", "dt")
                    ),
                    "1",
                );
                let last = d.add_days(&d.add_months(&next, "1"), "-1");
                let day = d.add_days(&next, &n.max(1).saturating_sub(1).to_string());
                format!("LEAST({day}, {last})")
            }
            Due::Every { days, from } => {
                let days = days.max(1);
                let since = format!("(dn - {})", d.day_number(&d.date_lit(from)));
                let period = format!(
                    "CASE WHEN {since} < 0 THEN 0 ELSE {} END",
                    d.small_div(&since, &days.to_string())
                );
                d.add_days(&d.date_lit(from), &format!("(({period}) + 1) * {days}"))
            }
        }
    }

    /// The exact factor converting one `from` of an event whose own
    /// commodity is `ctx` into `to`, for `rule` (`None`: no conversion).
    fn factor(&self, rule: &Rule, ctx: Option<usize>, from: &Unit, to: &Unit) -> Option<Exact> {
        let own = exact(rust_decimal::Decimal::ONE);
        let rule_c = match rule.goods {
            Goods::Commodity(c) => Some(c),
            _ => None,
        };
        self.rules
            .convert(ctx, &own, from, to)
            .or_else(|| self.rules.convert(rule_c, &own, from, to))
    }

    /// The commodities (`None`: none) whose conversions apply to events a
    /// rule's goods cover when their commodity and HS code agree (`None`:
    /// any).
    fn reachable(&self, rule: &Rule) -> Option<BTreeSet<Option<usize>>> {
        let (subtree, scope) = self.scope(rule)?;
        let prefixes: Vec<String> = scope.into_iter().map(|(p, _)| p).collect();
        let mut out: BTreeSet<Option<usize>> = subtree.into_iter().map(Some).collect();
        out.insert(None);
        for (i, c) in self.rules.commodities.iter().enumerate() {
            if c.hs.iter().any(|h| {
                prefixes
                    .iter()
                    .any(|p| h.starts_with(p.as_str()) || p.starts_with(h.as_str()))
            }) {
                out.insert(Some(i));
            }
        }
        Some(out)
    }

    /// Every (event commodity, event unit) an event may have, with its
    /// factor into `to`.
    fn factors(&self, rule: &Rule, to: &Unit) -> Vec<(Option<usize>, Unit, Option<Exact>)> {
        let mut v = Vec::new();
        let ctxs = std::iter::once(None).chain((0..self.rules.commodities.len()).map(Some));
        for ctx in ctxs {
            for u in goods_units() {
                v.push((ctx, u, self.factor(rule, ctx, &u, to)));
            }
        }
        v
    }

    /// A `CASE` on (ctx, unit column) giving `value(factor)` or NULL.
    fn factor_case(
        &self,
        table: &[(Option<usize>, Unit, Option<Exact>)],
        unit_col: &str,
        value: impl Fn(&Exact) -> String,
    ) -> String {
        let mut by_value: BTreeMap<String, Vec<(Option<usize>, &str)>> = BTreeMap::new();
        for (ctx, u, f) in table {
            if let Some(f) = f {
                by_value.entry(value(f)).or_default().push((*ctx, u.symbol));
            }
        }
        if by_value.is_empty() {
            return format!("CAST(NULL AS {})", self.d.int());
        }
        let mut s = String::from("CASE");
        for (val, keys) in by_value {
            let mut by_unit: BTreeMap<&str, Vec<Option<usize>>> = BTreeMap::new();
            for (ctx, u) in keys {
                by_unit.entry(u).or_default().push(ctx);
            }
            let conds: Vec<String> = by_unit
                .into_iter()
                .map(|(u, ctxs)| {
                    let mut parts = Vec::new();
                    if ctxs.contains(&None) {
                        parts.push("ctx IS NULL".to_string());
                    }
                    let ids: Vec<String> = ctxs.iter().flatten().map(|c| c.to_string()).collect();
                    if !ids.is_empty() {
                        parts.push(format!("ctx IN ({})", ids.join(", ")));
                    }
                    format!("({unit_col} = '{u}' AND ({}))", parts.join(" OR "))
                })
                .collect();
            let _ = write!(s, " WHEN {} THEN {val}", conds.join(" OR "));
        }
        s.push_str(" END");
        s
    }

    fn ne_diag(&self, rule: &Rule, cond: &str, code: Code, field: &str, from: &str) -> String {
        format!(
            "SELECT rn, id AS event, '{}' AS code, '{field}' AS field, 'not_evaluable' AS effect, {} AS rule FROM {from} WHERE {cond}",
            code.as_str(),
            self.str(&rule.id)
        )
    }

    /// Price caps: rows of (finding columns, num, den) and diagnostics.
    fn price(
        &mut self,
        rule: &Rule,
        i: usize,
        cap: rust_decimal::Decimal,
        currency: &Unit,
        per: &Unit,
    ) -> (String, String, String) {
        let d = self.d;
        let table = self.factors(rule, per);
        let num = |f: &Exact| lit(d, f.numer());
        let den = |f: &Exact| lit(d, f.denom());
        let (fpn, fpd) = (
            self.factor_case(&table, "pp", num),
            self.factor_case(&table, "pp", den),
        );
        let (fqn, fqd) = (
            self.factor_case(&table, "qu", num),
            self.factor_case(&table, "qu", den),
        );
        let cur = self.str(currency.symbol);
        let m = format!(
            "SELECT *, {fpn} AS fpn, {fpd} AS fpd, {fqn} AS fqn, {fqd} AS fqd FROM sanc_ev WHERE {}",
            self.matching(rule, i)
        );
        let m = format!(
            "SELECT *, CASE \
               WHEN pi IS NOT NULL AND pc <> {cur} THEN 'other_price' \
               WHEN pi IS NOT NULL AND fpn IS NULL THEN 'unconvertible_price' \
               WHEN pi IS NOT NULL THEN 'price' \
               WHEN vi IS NOT NULL AND vu <> {cur} THEN 'other_value' \
               WHEN vi IS NOT NULL AND qi IS NOT NULL AND qi = 0 THEN 'zero' \
               WHEN vi IS NOT NULL AND qi IS NOT NULL AND fqn IS NULL THEN 'unconvertible_quantity' \
               WHEN vi IS NOT NULL AND qi IS NOT NULL THEN 'derived' \
               ELSE 'missing' END AS how FROM ({m}) m0"
        );
        let scale = lit(d, &pow10(SCALE));
        let m = format!(
            "SELECT *, CASE WHEN how = 'price' THEN pi * fpd WHEN how = 'derived' THEN vi * fqd END AS pnum, \
             CASE WHEN how = 'price' THEN {scale} * fpn WHEN how = 'derived' THEN qi * fqn END AS pden FROM ({m}) m1"
        );
        let name = format!("sanc_price_{i}");
        let capx = exact(cap);
        let stmts = d.view(&name, &m);
        let diags = [
            ("how = 'other_price'", Code::EventOtherCurrency, "price"),
            (
                "how = 'unconvertible_price'",
                Code::EventUnconvertible,
                "price",
            ),
            ("how = 'other_value'", Code::EventOtherCurrency, "value"),
            ("how = 'zero'", Code::EventZeroQuantity, "quantity"),
            (
                "how = 'unconvertible_quantity'",
                Code::EventUnconvertible,
                "quantity",
            ),
            ("how = 'missing'", Code::EventMissingPrice, "price"),
        ]
        .iter()
        .map(|(c, code, f)| self.ne_diag(rule, c, *code, f, &name))
        .collect::<Vec<_>>()
        .join("\nUNION ALL\n");
        let row = Row {
            rule: &rule.id,
            kind: self.str(violation_kind(rule)),
            event: "id",
            date: "dt",
            window: self.null_text(),
            limit: self.str(&plain_amount(cap)),
            unit: self.str(&format!("{}/{}", currency.symbol, per.symbol)),
            deadline: "CAST(NULL AS DATE)".into(),
        };
        let rows = format!(
            "SELECT {}, {} AS cite, {} AS ip, pnum % pden AS fnum, pden AS den, CAST(NULL AS INTEGER) AS rix, CAST(NULL AS INTEGER) AS lk, {} AS grp, CAST(NULL AS BIGINT) AS lo, CAST(NULL AS BIGINT) AS cnt, CAST(NULL AS {int}) AS sip, CAST(NULL AS {int}) AS sx, CAST(NULL AS {int}) AS sy, CAST(NULL AS {int}) AS sl, CAST(NULL AS {int}) AS sm FROM {name} WHERE pnum IS NOT NULL AND pnum * {} > {} * pden{}",
            self.row_sql(&row),
            self.cite(rule),
            d.idiv("pnum", "pden"),
            self.null_text(),
            lit(d, capx.denom()),
            lit(d, capx.numer()),
            self.dated(rule),
            int = d.int(),
        );
        let mut diags = diags;
        if rule.contracted_before.is_some() {
            diags.push_str("\nUNION ALL\n");
            diags.push_str(&self.ne_diag(
                rule,
                &format!(
                    "pnum IS NOT NULL AND pnum * {} > {} * pden AND cd IS NULL AND {}",
                    lit(d, capx.denom()),
                    lit(d, capx.numer()),
                    self.contract_window(rule)
                ),
                Code::EventMissingContractDate,
                "contract_date",
                &name,
            ));
        }
        (stmts, rows, diags)
    }
}

/// What one cap limit counts, and its exact constants. An event's amount
/// (whole 10^-10 units of its own unit, `raw`) falls in a class `c`
/// whose factor into the limit's unit is `n_c / d_c`; a total is kept as
/// per-class sums and judged as a whole part plus a remainder over `l`,
/// the common denominator, so no product grows past 38 digits.
struct LimitSql {
    /// The class of the event's amount, or NULL when it is not counted.
    class: String,
    /// The amount as read (whole 10^-10 units).
    raw: String,
    /// Why the amount is not counted: a condition, a code and a field.
    why: Vec<(String, Code, &'static str)>,
    classes: Vec<(BigInt, BigInt)>,
    l: BigInt,
    /// Over the limit: whole part > .0, or equal and remainder > .1.
    over: (BigInt, BigInt),
    /// Thresholds reached: whole part > .0, or equal and remainder >= .1.
    thresholds: Vec<(BigInt, BigInt)>,
    limit: String,
    unit: String,
    /// 100 / the limit, as numerator and denominator (`None`: a zero
    /// limit, whose findings have no share).
    per_cent: Option<(BigInt, BigInt)>,
}

impl Cx<'_> {
    /// The names of a `by` party: its country code for an alias, else as written.
    fn party_key(&self, col: &str) -> String {
        if self.rules.aliases.is_empty() {
            return col.to_string();
        }
        let mut s = format!("CASE {col}");
        for (a, code) in &self.rules.aliases {
            let _ = write!(s, " WHEN {} THEN {}", self.str(a), self.str(code));
        }
        let _ = write!(s, " ELSE {col} END");
        s
    }

    fn limit_sql(
        &mut self,
        rule: &Rule,
        l: &crate::model::Limit,
        warn_at: &[rust_decimal::Decimal],
    ) -> Option<LimitSql> {
        let scale = Exact::from_integer(pow10(SCALE));
        let one = Exact::from_integer(BigInt::from(1u8));
        let (class, raw, why, factors) = if let Dimension::Money(_) = l.unit.dimension {
            let cur = self.str(l.unit.symbol);
            (
                format!("CASE WHEN vi IS NOT NULL AND vu = {cur} THEN 0 END"),
                "vi".to_string(),
                vec![
                    ("vi IS NULL".to_string(), Code::EventMissingValue, "value"),
                    (
                        format!("vi IS NOT NULL AND vu <> {cur}"),
                        Code::EventOtherCurrency,
                        "value",
                    ),
                ],
                vec![one],
            )
        } else {
            let table = self.factors(rule, &l.unit);
            // Classes for the events the rule's goods cover consistently
            // first; then for any other (commodity, unit) while the common
            // denominator stays within 38 digits. An event of a pair left
            // out (a commodity and an HS code that disagree) is out of the
            // SQL's range, never counted wrongly.
            let reach = self.reachable(rule);
            let mut factors: Vec<Exact> = Vec::new();
            let mut lcm = BigInt::from(1u8);
            let mut apart = Vec::new();
            let mut order: Vec<&(Option<usize>, Unit, Option<Exact>)> = table.iter().collect();
            order.sort_by_key(|(c, _, _)| reach.as_ref().is_some_and(|r| !r.contains(c)));
            for (ctx, u, f) in order {
                let Some(f) = f else { continue };
                if factors.contains(f) {
                    continue;
                }
                let x = f / &scale;
                let next = num_integer::Integer::lcm(&lcm, x.denom());
                let inside = reach.as_ref().is_none_or(|r| r.contains(ctx));
                if inside || numbers::digits(&next) <= numbers::MAX_DENOMINATOR_DIGITS {
                    lcm = next;
                    factors.push(f.clone());
                } else {
                    apart.push((*ctx, *u, Some(f.clone())));
                }
            }
            let apart_set: Vec<(Option<usize>, &str)> =
                apart.iter().map(|(c, u, _)| (*c, u.symbol)).collect();
            let kept: Vec<(Option<usize>, Unit, Option<Exact>)> = table
                .iter()
                .map(|(c, u, f)| {
                    let f = f.clone().filter(|_| !apart_set.contains(&(*c, u.symbol)));
                    (*c, *u, f)
                })
                .collect();
            let class = self.factor_case(&kept, "qu", |f| {
                factors
                    .iter()
                    .position(|g| g == f)
                    .unwrap_or_default()
                    .to_string()
            });
            let outside = self.factor_case(&apart, "qu", |_| "1".to_string());
            (
                class.clone(),
                "qi".to_string(),
                vec![
                    (
                        "qi IS NULL".to_string(),
                        Code::EventMissingQuantity,
                        "quantity",
                    ),
                    (
                        format!("qi IS NOT NULL AND ({outside}) IS NOT NULL"),
                        Code::EventOutOfSqlRange,
                        "quantity",
                    ),
                    (
                        format!("qi IS NOT NULL AND ({class}) IS NULL"),
                        Code::EventUnconvertible,
                        "quantity",
                    ),
                ],
                factors,
            )
        };
        let classes: Vec<(BigInt, BigInt)> = factors
            .iter()
            .map(|f| {
                let x = f / &scale;
                (x.numer().clone(), x.denom().clone())
            })
            .collect();
        let lcm = numbers::common_denominator(
            factors
                .iter()
                .map(|f| f / &scale)
                .collect::<Vec<_>>()
                .iter(),
        );
        let split = |x: Exact| {
            let whole = numbers::floor(&x);
            let rest = (x - Exact::from_integer(whole.clone())) * Exact::from_integer(lcm.clone());
            (whole, rest)
        };
        let (cf, cx) = split(exact(l.amount));
        let over = (cf, numbers::floor(&cx));
        let thresholds: Vec<(BigInt, BigInt)> = warn_at
            .iter()
            .map(|p| {
                let (tf, tx) = split(crate::exact::percent_of(l.amount, *p));
                (tf, numbers::ceil(&tx))
            })
            .collect();
        if numbers::digits(&lcm) > numbers::MAX_DENOMINATOR_DIGITS {
            let msg = format!(
                "its conversions into {} need a common denominator of {} digits, more than SQL's 38-digit numbers can hold exactly",
                l.unit.symbol,
                numbers::digits(&lcm)
            );
            self.diags.push(self.cannot(rule, msg));
            return None;
        }
        if numbers::digits(&over.0) > numbers::MAX_CONSTANT_DIGITS {
            let msg = format!(
                "the limit {} {} has more digits than SQL's 38-digit numbers hold",
                plain_amount(l.amount),
                l.unit.symbol
            );
            self.diags.push(self.cannot(rule, msg));
            return None;
        }
        let per_cent = (!l.amount.is_zero()).then(|| {
            let m = Exact::from_integer(BigInt::from(100u8)) / exact(l.amount);
            (m.numer().clone(), m.denom().clone())
        });
        if let Some((mn, md)) = &per_cent {
            // The share is printed by a long division over lcm * md kept
            // in two parts (numbers::format_ratio_mixed): 101 * lcm and
            // 100 * md must fit 38 digits; `mn` is multiplied in at most
            // three steps of two digits.
            let fits = numbers::digits(&(&lcm * BigInt::from(101u8))) <= 38
                && numbers::digits(md) <= numbers::MAX_DENOMINATOR_DIGITS
                && numbers::digits(mn) <= 6;
            if !fits {
                let msg = format!(
                    "the share of the limit {} {} needs more digits than SQL's 38-digit numbers hold",
                    plain_amount(l.amount),
                    l.unit.symbol,
                );
                self.diags.push(self.cannot(rule, msg));
                return None;
            }
        }
        Some(LimitSql {
            per_cent,
            class,
            raw,
            why,
            classes,
            l: lcm,
            over,
            thresholds,
            limit: plain_amount(l.amount),
            unit: l.unit.symbol.to_string(),
        })
    }

    /// The whole part and remainder (over `l`) of a limit's total from
    /// per-class sums `sum(c)`.
    fn whole_and_rest(&self, lm: &LimitSql, sum: &dyn Fn(usize) -> String) -> (String, String) {
        let d = self.d;
        let mut whole = Vec::new();
        let mut rest = Vec::new();
        for (c, (n, dc)) in lm.classes.iter().enumerate() {
            let p = format!("({} * {})", lit(d, n), sum(c));
            whole.push(d.idiv(&p, &lit(d, dc)));
            rest.push(format!(
                "({p} % {}) * {}",
                lit(d, dc),
                lit(d, &(&lm.l / dc))
            ));
        }
        if whole.is_empty() {
            return (lit(d, &BigInt::from(0u8)), lit(d, &BigInt::from(0u8)));
        }
        (whole.join(" + "), rest.join(" + "))
    }

    /// `whole + rest / l` is greater than (or, `at_least`, at least) the
    /// constant split as `(w, r)`.
    fn beyond(&self, whole: &str, rest: &str, c: &(BigInt, BigInt), at_least: bool) -> String {
        let d = self.d;
        let op = if at_least { ">=" } else { ">" };
        format!(
            "({whole} > {w} OR ({whole} = {w} AND {rest} {op} {r}))",
            w = lit(d, &c.0),
            r = lit(d, &c.1)
        )
    }

    /// A cap: statements, finding rows, diagnostics, entries (for contributors).
    fn cap(&mut self, rule: &Rule, i: usize) -> Option<(String, String, String, String)> {
        let d = self.d;
        let RuleKind::Cap {
            limits,
            period,
            by,
            warn_at,
        } = &rule.kind
        else {
            return None;
        };
        let mut ls = Vec::new();
        for l in limits {
            ls.push(self.limit_sql(rule, l, warn_at));
        }
        let ls: Vec<LimitSql> = ls.into_iter().collect::<Option<_>>()?;
        let (grp, grp_field) = match by {
            None => ("''".to_string(), None),
            Some(By::Origin) => (self.party_key("f_from"), Some("from")),
            Some(By::Destination) => (self.party_key("f_to"), Some("to")),
        };
        let mut cols = vec![
            "rn".to_string(),
            "id".into(),
            "dt".into(),
            "dn".into(),
            format!("{grp} AS grp"),
        ];
        for (k, l) in ls.iter().enumerate() {
            cols.push(format!("{} AS k{k}", l.class));
            cols.push(format!(
                "CASE WHEN ({}) IS NOT NULL THEN {} END AS a{k}",
                l.class, l.raw
            ));
            let mut why = String::from("CASE");
            for (cond, code, _) in &l.why {
                let _ = write!(why, " WHEN {cond} THEN '{}'", code.as_str());
            }
            why.push_str(" END");
            cols.push(format!("{why} AS e{k}"));
        }
        let c = format!("sanc_c{i}");
        let mut s = format!("-- cap `{}`\n", rule.id);
        s.push_str(&d.view(
            &c,
            &format!(
                "SELECT {} FROM sanc_ev WHERE {}{}",
                cols.join(", "),
                self.matching(rule, i),
                self.dated(rule)
            ),
        ));
        // Diagnostics: no party to count by; an amount that cannot be counted.
        let mut diags = Vec::new();
        if let Some(f) = grp_field {
            diags.push(self.ne_diag(rule, "grp IS NULL", Code::EventMissingParty, f, &c));
        }
        // An amount a limit cannot count, unless the event breaks the cap
        // whatever that amount (its window is over already): the rule has
        // judged it.
        for (k, l) in ls.iter().enumerate() {
            for (_, code, field) in &l.why {
                diags.push(self.ne_diag(
                    rule,
                    &format!(
                        "grp IS NOT NULL AND e{k} = '{}' AND rn NOT IN (SELECT rn FROM sanc_q{i} WHERE vk IS NOT NULL)",
                        code.as_str()
                    ),
                    *code,
                    field,
                    &c,
                ));
            }
        }
        let any: Vec<String> = (0..ls.len()).map(|k| format!("a{k} IS NOT NULL")).collect();
        let e = format!("sanc_e{i}");
        let order = format!("ORDER BY dt, {}", d.bin("id"));
        // Each limit numbers the events counted for it (`rk`): a finding's
        // contributors are those of the limit it is about.
        let counted = |k: usize| format!("CASE WHEN a{k} IS NOT NULL THEN 1 ELSE 0 END");
        let rk: Vec<String> = (0..ls.len())
            .map(|k| {
                format!(
                    ", SUM({}) OVER (PARTITION BY grp {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rk{k}",
                    counted(k)
                )
            })
            .collect();
        s.push_str(&d.view(
            &e,
            &format!(
                "SELECT *{}, row_number() OVER (PARTITION BY grp {order}) AS rn_all FROM {c} WHERE grp IS NOT NULL AND ({})",
                rk.concat(),
                any.join(" OR ")
            ),
        ));
        let text = |x: &str| d.to_text(x);
        let zero = lit(d, &BigInt::from(0u8));
        let part = |k: usize, c: usize| format!("CASE WHEN k{k} = {c} THEN a{k} ELSE {zero} END");
        let t = format!("sanc_t{i}");
        let rolling = matches!(period, Period::Days(_));
        match period {
            Period::Days(n) => {
                let before = format!(
                    "PARTITION BY grp ORDER BY dn RANGE BETWEEN UNBOUNDED PRECEDING AND {n} PRECEDING"
                );
                let mut cols = vec![
                    "*".to_string(),
                    format!(
                        "{} AS ws",
                        d.add_days("dt", &format!("-{}", n.saturating_sub(1)))
                    ),
                    "dt AS we".into(),
                ];
                for (k, l) in ls.iter().enumerate() {
                    cols.push(format!(
                        "rk{k} - COALESCE(SUM({}) OVER ({before}), 0) AS pk{k}",
                        counted(k)
                    ));
                    for cl in 0..l.classes.len() {
                        cols.push(format!(
                            "SUM({p}) OVER (PARTITION BY grp {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - COALESCE(SUM({p}) OVER ({before}), {zero}) AS s{k}_{cl}",
                            p = part(k, cl)
                        ));
                    }
                }
                s.push_str(&d.view(&t, &format!("SELECT {} FROM {e}", cols.join(", "))));
            }
            _ => {
                let w = format!("sanc_w{i}");
                s.push_str(&d.view(&w, &self.fixed_window(period, &e)));
                let win = format!("PARTITION BY grp, ws {order}");
                let mut cols = vec!["*".to_string()];
                for (k, l) in ls.iter().enumerate() {
                    cols.push(format!(
                        "SUM({}) OVER ({win} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pk{k}",
                        counted(k)
                    ));
                    for cl in 0..l.classes.len() {
                        cols.push(format!(
                            "SUM({}) OVER ({win} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s{k}_{cl}",
                            part(k, cl)
                        ));
                    }
                }
                s.push_str(&d.view(
                    &t,
                    &format!("SELECT {} FROM {w} WHERE ws IS NOT NULL", cols.join(", ")),
                ));
            }
        }
        // Totals as whole part (ti) and remainder over l (tf); before this
        // event for rolling windows (bi, bf).
        let r0 = format!("sanc_r{i}");
        let mut cols = vec!["*".to_string()];
        for (k, l) in ls.iter().enumerate() {
            let (w, r) = self.whole_and_rest(l, &|c| format!("s{k}_{c}"));
            cols.push(format!("{w} AS wi{k}"));
            cols.push(format!("{r} AS wr{k}"));
            if rolling {
                let (w, r) = self.whole_and_rest(l, &|c| format!("(s{k}_{c} - ({}))", part(k, c)));
                cols.push(format!("{w} AS bwi{k}"));
                cols.push(format!("{r} AS bwr{k}"));
            }
        }
        s.push_str(&d.view(&r0, &format!("SELECT {} FROM {t}", cols.join(", "))));
        let r = format!("sanc_n{i}");
        let mut cols = vec!["*".to_string()];
        for (k, l) in ls.iter().enumerate() {
            let lv = lit(d, &l.l);
            cols.push(format!(
                "wi{k} + {} AS ti{k}",
                d.idiv(&format!("wr{k}"), &lv)
            ));
            cols.push(format!("wr{k} % {lv} AS tf{k}"));
            if rolling {
                cols.push(format!(
                    "bwi{k} + {} AS bi{k}",
                    d.idiv(&format!("bwr{k}"), &lv)
                ));
                cols.push(format!("bwr{k} % {lv} AS bf{k}"));
            }
        }
        s.push_str(&d.view(&r, &format!("SELECT {} FROM {r0}", cols.join(", "))));
        // Thresholds reached (h) and already warned of (g).
        let reached = |whole: &str, rest: &str, l: &LimitSql| {
            if l.thresholds.is_empty() {
                return "0".to_string();
            }
            let parts: Vec<String> = l
                .thresholds
                .iter()
                .map(|th| {
                    format!(
                        "CASE WHEN {} THEN 1 ELSE 0 END",
                        self.beyond(whole, rest, th, true)
                    )
                })
                .collect();
            format!("({})", parts.join(" + "))
        };
        let h = format!("sanc_h{i}");
        let mut cols = vec!["*".to_string()];
        for (k, l) in ls.iter().enumerate() {
            cols.push(format!(
                "{} AS h{k}",
                reached(&format!("ti{k}"), &format!("tf{k}"), l)
            ));
            if rolling {
                cols.push(format!(
                    "{} AS g{k}",
                    reached(&format!("bi{k}"), &format!("bf{k}"), l)
                ));
            }
        }
        s.push_str(&d.view(&h, &format!("SELECT {} FROM {r}", cols.join(", "))));
        let q = format!("sanc_q{i}");
        let mut cols = vec!["*".to_string()];
        for k in 0..ls.len() {
            if !rolling {
                cols.push(format!(
                    "COALESCE(MAX(CASE WHEN a{k} IS NOT NULL THEN h{k} END) OVER (PARTITION BY grp, ws {order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS g{k}"
                ));
            }
        }
        // The limit violated: the first one over (once a limit is passed,
        // every later event of the window breaks the cap).
        let mut vk = String::from("CASE");
        for (k, l) in ls.iter().enumerate() {
            let _ = write!(
                vk,
                " WHEN {} THEN {k}",
                self.beyond(&format!("ti{k}"), &format!("tf{k}"), &l.over, false)
            );
        }
        vk.push_str(" END");
        cols.push(format!("{vk} AS vk"));
        let label = match period {
            Period::Year => text(&d.part("YEAR", "ws")),
            Period::Quarter => format!(
                "{} || '-Q' || {}",
                text(&d.part("YEAR", "ws")),
                text(&d.small_div(&format!("{} + 2", d.part("MONTH", "ws")), "3"))
            ),
            Period::Month => format!(
                "{} || '-' || lpad({}, 2, '0')",
                text(&d.part("YEAR", "ws")),
                text(&d.part("MONTH", "ws"))
            ),
            Period::Day => text("ws"),
            Period::Months { .. } | Period::Days(_) => {
                format!("{} || '..' || {}", text("ws"), text("we"))
            }
        };
        let label = match by {
            None => label,
            Some(_) => format!("{label} || ' ' || grp"),
        };
        cols.push(format!("{label} AS wl"));
        s.push_str(&d.create(&q, &format!("SELECT {} FROM {h}", cols.join(", "))));
        // Finding rows: a violation (the first limit passed), else warnings.
        let pick = |f: &dyn Fn(usize, &LimitSql) -> String| {
            let mut x = String::from("CASE vk");
            for (k, l) in ls.iter().enumerate() {
                let _ = write!(x, " WHEN {k} THEN {}", f(k, l));
            }
            x.push_str(" END");
            x
        };
        // The share of the limit, total * 100 / limit: the total is
        // ti + tf / l and 100 / limit is mn / md, so the share is
        // q1 + (r1 l + tf mn) / (l md) with ti mn = q1 md + r1. tf mn is
        // kept as X l + Y, multiplied in steps of two digits of mn.
        let share = |k: usize, l: &LimitSql| -> [String; 5] {
            let Some((mn, md)) = &l.per_cent else {
                return [(); 5].map(|_| format!("CAST(NULL AS {})", d.int()));
            };
            let big = lit(d, &l.l);
            let hundred = lit(d, &BigInt::from(100u8));
            let mut steps: Vec<BigInt> = Vec::new();
            let mut rest = mn.clone();
            while rest > BigInt::from(0u8) {
                steps.push(&rest % 100u8);
                rest /= 100u8;
            }
            steps.reverse();
            let (mut x, mut y) = (String::new(), String::new());
            for c in steps {
                let c = lit(d, &c);
                if x.is_empty() {
                    x = d.idiv(&format!("tf{k} * {c}"), &big);
                    y = format!("((tf{k} * {c}) % {big})");
                } else {
                    let raw = format!("((({y}) * {hundred}) % {big} + tf{k} * {c})");
                    x = format!(
                        "(({x}) * {hundred} + {} + {})",
                        d.idiv(&format!("({y}) * {hundred}"), &big),
                        d.idiv(&raw, &big)
                    );
                    y = format!("({raw} % {big})");
                }
            }
            let (mn, md) = (lit(d, mn), lit(d, md));
            let a = format!("(ti{k} * {mn})");
            let whole = format!("(({a} % {md}) + {x})");
            [
                format!("{} + {}", d.idiv(&a, &md), d.idiv(&whole, &md)),
                format!("{whole} % {md}"),
                y,
                big,
                md,
            ]
        };
        // `lk`: the limit the finding is about, and its contributors.
        let tail = |lk: String, ip: String, fnum: String, den: String, sh: [String; 5]| {
            let (lo, cnt) = match lk.parse::<usize>() {
                Ok(k) => (format!("rk{k} - pk{k} + 1"), format!("pk{k}")),
                Err(_) => (
                    pick(&|k, _| format!("rk{k} - pk{k} + 1")),
                    pick(&|k, _| format!("pk{k}")),
                ),
            };
            format!(
                ", {} AS cite, {ip} AS ip, {fnum} AS fnum, {den} AS den, {i} AS rix, {lk} AS lk, grp, {lo} AS lo, {cnt} AS cnt, {} AS sip, {} AS sx, {} AS sy, {} AS sl, {} AS sm FROM {q}",
                self.cite(rule),
                sh[0],
                sh[1],
                sh[2],
                sh[3],
                sh[4]
            )
        };
        let mut rows = Vec::new();
        let row = Row {
            rule: &rule.id,
            kind: self.str(violation_kind(rule)),
            event: "id",
            date: "dt",
            window: "wl".into(),
            limit: pick(&|_, l| self.str(&l.limit)),
            unit: pick(&|_, l| self.str(&l.unit)),
            deadline: "CAST(NULL AS DATE)".into(),
        };
        rows.push(format!(
            "SELECT {}{} WHERE vk IS NOT NULL",
            self.row_sql(&row),
            tail(
                "vk".into(),
                pick(&|k, _| format!("ti{k}")),
                pick(&|k, _| format!("tf{k}")),
                pick(&|_, l| lit(d, &l.l)),
                [0, 1, 2, 3, 4].map(|n| pick(&|k, l| share(k, l)[n].clone()))
            )
        ));
        for (k, l) in ls.iter().enumerate() {
            if l.thresholds.is_empty() {
                continue;
            }
            let row = Row {
                rule: &rule.id,
                kind: "'warning'".into(),
                event: "id",
                date: "dt",
                window: "wl".into(),
                limit: self.str(&l.limit),
                unit: self.str(&l.unit),
                deadline: "CAST(NULL AS DATE)".into(),
            };
            rows.push(format!(
                "SELECT {}{} WHERE vk IS NULL AND a{k} IS NOT NULL AND h{k} > g{k}",
                self.row_sql(&row),
                tail(
                    k.to_string(),
                    format!("ti{k}"),
                    format!("tf{k}"),
                    lit(d, &l.l),
                    share(k, l)
                )
            ));
        }
        let entries = (0..ls.len())
            .map(|k| {
                format!(
                    "SELECT {i} AS rix, {k} AS lk, grp, rk{k} AS rn_all, id FROM {e} WHERE a{k} IS NOT NULL"
                )
            })
            .collect::<Vec<_>>()
            .join("\nUNION ALL\n");
        Some((
            s,
            rows.join("\nUNION ALL\n"),
            diags.join("\nUNION ALL\n"),
            entries,
        ))
    }

    /// The fixed window of each entry: first day `ws` (NULL before an
    /// anniversary period's first day), last day `we`.
    fn fixed_window(&self, period: &Period, table: &str) -> String {
        let d = self.d;
        let (y, m) = (d.part("YEAR", "dt"), d.part("MONTH", "dt"));
        let make = |y: &str, m: &str| format!("make_date({y}, {m}, 1)");
        let minus1 = |x: &str| d.add_days(x, "-1");
        match period {
            Period::Year => format!(
                "SELECT *, make_date({y}, 1, 1) AS ws, make_date({y}, 12, 31) AS we FROM {table}"
            ),
            Period::Quarter => {
                let start = make(
                    &y,
                    &format!("{} * 3 + 1", d.small_div(&format!("{m} - 1"), "3")),
                );
                format!(
                    "SELECT *, {start} AS ws, {} AS we FROM {table}",
                    minus1(&d.add_months(&start, "3"))
                )
            }
            Period::Month => {
                let start = make(&y, &m);
                format!(
                    "SELECT *, {start} AS ws, {} AS we FROM {table}",
                    minus1(&d.add_months(&start, "1"))
                )
            }
            Period::Day => format!("SELECT *, dt AS ws, dt AS we FROM {table}"),
            Period::Months { count, from } => {
                let f = d.date_lit(*from);
                let months = format!(
                    "(({y} - {}) * 12 + {m} - {})",
                    chrono::Datelike::year(from),
                    chrono::Datelike::month(from)
                );
                let k0 = d.small_div(&months, &count.to_string());
                let inner = format!(
                    "SELECT *, CASE WHEN dt < {f} THEN NULL WHEN {} > dt THEN {k0} - 1 ELSE {k0} END AS wk FROM {table}",
                    d.add_months(&f, &format!("{k0} * {count}"))
                );
                format!(
                    "SELECT *, {} AS ws, {} AS we FROM ({inner}) wk0",
                    d.add_months(&f, &format!("wk * {count}")),
                    minus1(&d.add_months(&f, &format!("(wk + 1) * {count}")))
                )
            }
            Period::Days(_) => format!("SELECT *, dt AS ws, dt AS we FROM {table}"),
        }
    }

    /// Covers of reports known on the as-of day; unknown commodities.
    fn late_stage(&self) -> String {
        let d = self.d;
        d.view(
            "sanc_cov",
            &format!(
                "SELECT i.item AS cid, r.dt AS rdt FROM sanc_ev r JOIN sanc_items i ON i.rn = r.rn AND i.field = 'covers' \
                 WHERE r.typ = 'report' AND r.dt <= {} AND i.item IN (SELECT f_id FROM sanc_valid0)",
                self.as_of
            ),
        )
    }

    fn results(
        &self,
        cap_rows: Vec<String>,
        price_rows: Vec<String>,
        plain_rows: Vec<(String, bool)>,
        nediags: Vec<String>,
        entries: Vec<String>,
    ) -> String {
        let d = self.d;
        let mut s = self.late_stage();
        let fcols = [
            "rule", "kind", "event", "date", "window", "limit", "unit", "deadline",
        ];
        let fq: Vec<String> = fcols.iter().map(|c| self.q(c)).collect();
        let numeric: Vec<String> = cap_rows
            .into_iter()
            .chain(price_rows)
            .filter(|r| !r.is_empty())
            .collect();
        let numeric = if numeric.is_empty() {
            format!(
                "SELECT {}, {} AS cite, CAST(NULL AS {int}) AS ip, CAST(NULL AS {int}) AS fnum, CAST(NULL AS {int}) AS den, CAST(NULL AS INTEGER) AS rix, CAST(NULL AS INTEGER) AS lk, {} AS grp, CAST(NULL AS BIGINT) AS lo, CAST(NULL AS BIGINT) AS cnt, CAST(NULL AS {int}) AS sip, CAST(NULL AS {int}) AS sx, CAST(NULL AS {int}) AS sy, CAST(NULL AS {int}) AS sl, CAST(NULL AS {int}) AS sm FROM sanc_ev WHERE FALSE",
                self.row_sql(&Row {
                    rule: "",
                    kind: self.null_text(),
                    event: "id",
                    date: "dt",
                    window: self.null_text(),
                    limit: self.null_text(),
                    unit: self.null_text(),
                    deadline: "CAST(NULL AS DATE)".into(),
                }),
                self.null_text(),
                self.null_text(),
                int = d.int()
            )
        } else {
            numeric.join("\nUNION ALL\n")
        };
        s.push_str(&d.create(
            "sanc_numf",
            &format!("SELECT {} AS fid, u.* FROM ({numeric}) u", d.row_id()),
        ));
        // Totals and shares printed, each from only the columns it needs
        // (the long divisions are many layers deep).
        s.push_str(&d.view(
            "sanc_total",
            &format!(
                "SELECT fid, total FROM ({}) t",
                numbers::format_ratio(
                    d,
                    "SELECT fid, ip, fnum, den FROM sanc_numf WHERE den IS NOT NULL",
                    "ip",
                    "fnum",
                    "den",
                    "total",
                )
            ),
        ));
        s.push_str(&d.view(
            "sanc_share",
            &format!(
                "SELECT fid, share FROM ({}) t",
                numbers::format_ratio_mixed(
                    d,
                    "SELECT fid, sip, sx, sy, sl, sm FROM sanc_numf WHERE sl IS NOT NULL",
                    "sip",
                    ("sx", "sy"),
                    ("sl", "sm"),
                    "share",
                )
            ),
        ));
        s.push_str(&d.view(
            "sanc_numf2",
            "SELECT n.*, t.total, h.share FROM sanc_numf n JOIN sanc_total t ON t.fid = n.fid \
             LEFT JOIN sanc_share h ON h.fid = n.fid WHERE n.den IS NOT NULL",
        ));
        let entries = if entries.is_empty() {
            format!("SELECT CAST(NULL AS INTEGER) AS rix, CAST(NULL AS INTEGER) AS lk, {} AS grp, CAST(NULL AS BIGINT) AS rn_all, id FROM sanc_ev WHERE FALSE", self.null_text())
        } else {
            entries.join("\nUNION ALL\n")
        };
        s.push_str(&d.view("sanc_ce", &entries));
        s.push_str(&d.view(
            "sanc_contrib",
            &format!(
                "SELECT f.fid, {} AS contributors FROM sanc_numf f JOIN sanc_ce e ON e.rix = f.rix AND e.lk = f.lk AND e.grp = f.grp \
                 AND e.rn_all >= f.lo AND e.rn_all < f.lo + LEAST(f.cnt, {}) GROUP BY f.fid",
                d.ordered_list("e.id", "e.rn_all"),
                crate::eval::MAX_CONTRIBUTORS
            ),
        ));
        let sel = |prefix: &str| {
            fq.iter()
                .map(|c| format!("{prefix}{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut branches = vec![format!(
            "SELECT {}, n.cite, n.total, n.share, c.contributors, CAST(CASE WHEN n.rix IS NOT NULL THEN n.cnt END AS BIGINT) AS contributor_count \
             FROM sanc_numf2 n LEFT JOIN sanc_contrib c ON c.fid = n.fid",
            sel("n.")
        )];
        // A supply with a listed party under a cap (`provided no`) has
        // no contributors, as `sanc eval` says: an empty list.
        for (p, designated) in plain_rows {
            branches.push(format!(
                "SELECT {}, p.cite, {} AS total, {} AS share, {} AS contributors, CAST(NULL AS BIGINT) AS contributor_count FROM ({p}) p",
                sel("p."),
                self.null_text(),
                self.null_text(),
                if designated {
                    d.empty_list()
                } else {
                    d.null_list()
                }
            ));
        }
        s.push_str(&d.create_union(
            "sanc_findings",
            &branches,
            &format!(
                "SELECT {r}, {k}, {e}, {dt}, cite, {w}, total, share, {l}, {u}, contributors, contributor_count, {dl} FROM {{src}} f",
                r = self.q("rule"),
                k = self.q("kind"),
                e = self.q("event"),
                dt = self.q("date"),
                w = self.q("window"),
                l = self.q("limit"),
                u = self.q("unit"),
                dl = self.q("deadline"),
            ),
        ));
        // Diagnostics.
        let mut parts = vec![
            "SELECT rn, event, code, field, 'rejected' AS effect, CAST(NULL AS {text}) AS rule FROM sanc_vdiag".replace("{text}", d.text()),
            format!(
                "SELECT rn, id AS event, '{}' AS code, 'id' AS field, 'rejected' AS effect, {} AS rule FROM sanc_dups",
                Code::EventDuplicateId.as_str(),
                self.null_text()
            ),
            format!(
                "SELECT e.rn, e.id AS event, '{}' AS code, 'exemptions' AS field, 'remark' AS effect, {} AS rule \
                 FROM sanc_ev e JOIN sanc_items i ON i.rn = e.rn AND i.field = 'exemptions' WHERE NOT {}",
                Code::EventUnknownExemption.as_str(),
                self.null_text(),
                self.is_in("i.item", &self.rules.exemptions)
            ),
            format!(
                "SELECT r.rn, r.id AS event, '{}' AS code, 'covers' AS field, 'remark' AS effect, {} AS rule \
                 FROM sanc_ev r JOIN sanc_items i ON i.rn = r.rn AND i.field = 'covers' \
                 WHERE r.typ = 'report' AND r.dt <= {} AND i.item NOT IN (SELECT f_id FROM sanc_valid0) \
                 AND i.item NOT IN (SELECT event FROM sanc_vdiag WHERE code = '{}' AND event IS NOT NULL)",
                Code::EventUnknownCover.as_str(),
                self.null_text(),
                self.as_of,
                Code::EventOutOfSqlRange.as_str()
            ),
        ];
        let mut blind = String::from("CASE");
        for (i, r) in self.rules.rules.iter().enumerate() {
            if !matches!(r.goods, Goods::Any | Goods::PortCalls) {
                let _ = write!(
                    blind,
                    " WHEN {} THEN {}",
                    self.applies(r, i),
                    self.str(&r.id)
                );
            }
        }
        if blind == "CASE" {
            blind = self.null_text();
        } else {
            blind.push_str(&format!(" ELSE {} END", self.null_text()));
        }
        parts.push(format!(
            "SELECT rn, id AS event, '{}' AS code, 'commodity' AS field, CASE WHEN blind IS NULL THEN 'remark' ELSE 'not_evaluable' END AS effect, blind AS rule \
             FROM (SELECT rn, id, {blind} AS blind FROM sanc_ev WHERE typ = 'shipment' AND f_commodity IS NOT NULL AND cid IS NULL AND hs IS NULL) u",
            Code::EventUnknownCommodity.as_str()
        ));
        parts.extend(nediags.into_iter().filter(|x| !x.is_empty()));
        s.push_str(&d.create_union(
            "sanc_diagnostics",
            &parts,
            "SELECT DISTINCT rn AS input_row, event, code, CASE WHEN effect = 'remark' THEN 'warning' ELSE 'error' END AS severity, field, effect, rule FROM {src} x",
        ));
        let _ = writeln!(
            s,
            "SELECT * FROM sanc_findings ORDER BY {}, {}, {}, {}, {};",
            self.q("date"),
            d.bin(&self.q("rule")),
            d.bin(&self.q("event")),
            self.q("kind"),
            self.q("unit")
        );
        s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    #[test]
    fn only_the_json_parties_object_is_left_to_sanc_eval() {
        let f = super::unread_fields();
        assert_eq!(f, ["parties"]);
        // Every other column of the events table is read.
        for c in super::event_columns() {
            assert!(c == "parties" || !f.contains(&c), "{c}");
        }
    }
}
