//! The checked rule set: what `check` produces and `eval` consumes.
//!
//! Names are resolved, units normalised, rule ids assigned. Spans are kept
//! only so findings can point back at the rule source.

use crate::diagnostic::Severity;
use crate::source::Span;
use crate::units::{Conversion, Unit};
use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;
use smallvec::SmallVec;
use std::collections::{BTreeMap, BTreeSet};

/// A party as events name it: a country, or a declared entity. Held
/// inline (no allocation) up to 24 bytes: every event's parties resolve
/// to these.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartyKey {
    Country(CompactString),
    Entity(CompactString),
}

/// What an event's party stands for: one key, or an entity and its
/// countries; kept inline for one (a country code or an alias, as most
/// events name their parties): two inline made every event 64 bytes
/// larger for the few parties that are entities.
pub type PartyKeys = SmallVec<[PartyKey; 1]>;

/// Which parties a rule's `from` / `to` / `via` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartySet {
    Any,
    Of(BTreeSet<PartyKey>),
}

impl PartySet {
    pub fn contains(&self, key: &PartyKey) -> bool {
        match self {
            PartySet::Any => true,
            PartySet::Of(s) => s.contains(key),
        }
    }

    /// Does every party `other` accepts also match `self`?
    pub fn covers(&self, other: &PartySet) -> bool {
        match (self, other) {
            (PartySet::Any, _) => true,
            (PartySet::Of(_), PartySet::Any) => false,
            (PartySet::Of(a), PartySet::Of(b)) => b.is_subset(a),
        }
    }

    /// Does a rule's constraint (`None`: none) let through every event `other` does?
    pub fn covers_opt(this: Option<&PartySet>, other: Option<&PartySet>) -> bool {
        match (this, other) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a.covers(b),
        }
    }
}

pub type CommodityId = usize;

#[derive(Debug, Clone)]
pub struct Commodity {
    pub name: String,
    pub title: Option<String>,
    pub doc: Option<String>,
    pub hs: Vec<String>,
    /// Codes its `hs` codes leave out (`except`): those given, and those of
    /// the commodities named there and of everything under them. A code
    /// that starts with one of these is not this commodity's.
    pub except: Vec<String>,
    pub parent: Option<CommodityId>,
    pub measured: Vec<Unit>,
    pub conversions: Vec<Conversion>,
    /// Where each conversion is declared (same order).
    pub conversion_spans: Vec<Span>,
    pub span: Span,
}

/// What goods a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goods {
    Any,
    Hs(Vec<String>),
    Commodity(CommodityId),
    /// Not goods: vessels' port calls (`ban port calls …`).
    PortCalls,
}

/// A `list` declaration, and the list once loaded.
#[derive(Debug, Clone)]
pub struct ListDecl {
    pub name: String,
    pub spec: crate::lists::Spec,
    /// The declaration, and its path text (relative to its file).
    pub span: Span,
    pub path_span: Span,
    /// `None` until loaded (or when the file could not be read).
    pub data: Option<std::sync::Arc<crate::lists::List>>,
}

/// Which participants a condition asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Every party in every role, and both vessels.
    AnyParty,
    Of(BTreeSet<crate::roles::Participant>),
}

impl Who {
    pub fn includes(&self, p: crate::roles::Participant) -> bool {
        match self {
            Who::AnyParty => true,
            Who::Of(s) => s.contains(&p),
        }
    }

    /// `owner or operator`, `any party`.
    pub fn describe(&self) -> String {
        match self {
            Who::AnyParty => "any party".into(),
            Who::Of(s) => s
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// `with WHO on LIST [fuzzy P%]` or `provided no WHO on LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCondition {
    pub list: String,
    pub who: Who,
    /// Fuzzy matching at this similarity (a share, 0–1), when asked for.
    pub fuzzy: Option<Decimal>,
}

/// A rule's conditions besides goods, parties and dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    /// `by sts transfer`
    pub transfer: Option<crate::roles::Transfer>,
    /// `with … on LIST`: each must match.
    pub listed: Vec<ListCondition>,
    /// `with vessel flagged P`
    pub flagged: Vec<(Who, PartySet)>,
    /// `with ROLE in P`: a party in one of the roles has that nationality.
    pub nationality: Vec<(Who, PartySet)>,
    /// `provided no … on LIST` (caps).
    pub provided: Option<ListCondition>,
}

impl Conditions {
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }
}

#[derive(Debug, Clone)]
pub struct Limit {
    pub amount: Decimal,
    pub unit: Unit,
}

/// A cap's period, as the checked model keeps it (the syntax tree has its
/// own, which the checker converts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year,
    Quarter,
    Month,
    Day,
    /// A rolling window of N days ending at each event.
    Days(u32),
    /// Consecutive windows of N months counted from a date (anniversary periods).
    Months {
        count: u32,
        from: NaiveDate,
    },
}

/// What a `by` cap counts separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum By {
    Origin,
    Destination,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    Ban,
    Cap {
        limits: Vec<Limit>,
        period: Period,
        by: Option<By>,
        /// Warning thresholds in percent, ascending, each 0 < p < 100.
        warn_at: Vec<Decimal>,
    },
    CapPrice {
        amount: Decimal,
        currency: Unit,
        per_unit: Unit,
    },
    RequireReport {
        due: Due,
    },
}

/// When a report is due, as the checked model keeps it (the syntax tree
/// has its own, which the checker converts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    /// `within N days` of each shipment.
    Within(u32),
    /// `monthly by day N`: by day N of the month after the shipment's (the
    /// month's last day when it has fewer days).
    MonthlyBy(u32),
    /// `every N days from D`: by the end of the N-day period, counted from
    /// D, that the shipment falls in.
    Every { days: u32, from: NaiveDate },
}

impl std::fmt::Display for Due {
    /// As the rule says it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = |n: u32| {
            if n == 1 {
                "1 day".to_string()
            } else {
                format!("{n} days")
            }
        };
        match self {
            Due::Within(n) => write!(f, "within {}", days(*n)),
            Due::MonthlyBy(n) => write!(f, "monthly by day {n}"),
            Due::Every { days: n, from } => write!(f, "every {} from {from}", days(*n)),
        }
    }
}

impl Due {
    /// The last day a report on a shipment of `shipped` is on time.
    pub fn deadline(self, shipped: NaiveDate) -> NaiveDate {
        use chrono::{Datelike, Days, Months};
        match self {
            Due::Within(n) => shipped.checked_add_days(Days::new(u64::from(n))),
            Due::MonthlyBy(day) => shipped
                .with_day(1)
                .and_then(|first| first.checked_add_months(Months::new(1)))
                .and_then(|next| {
                    // Day 30 of February is its last day.
                    (1..=day.max(1)).rev().find_map(|d| next.with_day(d))
                }),
            Due::Every { days, from } => {
                let days = i64::from(days.max(1));
                let since = (shipped - from).num_days();
                let period = if since < 0 { 0 } else { since / days };
                from.checked_add_signed(chrono::TimeDelta::days((period + 1) * days))
            }
        }
        .unwrap_or(NaiveDate::MAX)
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The regime of the rule's file, if it declares one.
    pub regime: Option<String>,
    pub kind: RuleKind,
    pub goods: Goods,
    /// `None`: the rule does not ask; `Some(Any)`: some party must be named.
    pub from: Option<PartySet>,
    pub to: Option<PartySet>,
    pub via: Option<PartySet>,
    pub effective: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub cite: Option<String>,
    /// Goods and parties as the rule writes them (`arms to DPRK`), for messages.
    pub scope_text: String,
    /// The `##` doc comment above the rule.
    pub doc: Option<String>,
    /// The severity of this rule's violations (`severity warning` lowers it).
    pub severity: Severity,
    pub exemptions: BTreeSet<String>,
    /// `unless loaded before A and delivered before B`.
    pub wind_down: Option<(NaiveDate, NaiveDate)>,
    /// `unless contracted before D`: shipments under older contracts are
    /// outside the rule.
    pub contracted_before: Option<NaiveDate>,
    /// `… and delivered before D2`: only for cargo delivered before D2 (a
    /// wind-down for old contracts).
    pub contract_delivered_before: Option<NaiveDate>,
    /// `unless by pipeline transfer`: goods moved that way are outside the
    /// rule. A shipment that does not say how it moved is inside it.
    pub unless_transfer: Option<crate::roles::Transfer>,
    /// Transfer mode, lists, flags, nationalities, `provided no`.
    pub conditions: Conditions,
    /// Where each condition and clause is written, with its keyword (`by
    /// sts transfer`, `unless contracted before`, …), in source order: for
    /// messages about one clause (e.g. one `sanc compile` cannot translate).
    pub clause_spans: Vec<(&'static str, Span)>,
    /// The rule's keyword; findings point here.
    pub keyword: Span,
    pub span: Span,
}

impl RuleSet {
    /// The regimes that have rules, in order of their ids.
    pub fn regimes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .rules
            .iter()
            .filter_map(|r| r.regime.as_deref())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Keep only the rules of the given regimes (declarations stay: rules
    /// of one regime use names declared anywhere in the rule set).
    pub fn keep_regimes(&mut self, regimes: &[String]) {
        self.rules
            .retain(|r| r.regime.as_ref().is_some_and(|g| regimes.contains(g)));
    }
}

impl Rule {
    /// Where the rule writes the condition or clause `keyword` (see
    /// [`Rule::clause_spans`]); the rule's keyword if it does not.
    pub fn clause_span(&self, keyword: &str) -> Span {
        self.clause_spans
            .iter()
            .find(|(k, _)| *k == keyword)
            .map_or(self.keyword, |(_, s)| *s)
    }

    /// Is `date` within `effective` … `until` (both inclusive)?
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.effective.is_none_or(|e| date >= e) && self.until.is_none_or(|u| date <= u)
    }
}

/// What kind of thing a declared name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Party,
    Group,
    Entity,
    Commodity,
    Exemption,
    List,
}

impl DeclKind {
    /// The noun with its article: `an entity`, `a party`.
    pub fn a_noun(self) -> &'static str {
        match self {
            DeclKind::Party => "a party",
            DeclKind::Group => "a group",
            DeclKind::Entity => "an entity",
            DeclKind::Commodity => "a commodity",
            DeclKind::Exemption => "an exemption",
            DeclKind::List => "a list",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            DeclKind::Party => "party",
            DeclKind::Group => "group",
            DeclKind::Entity => "entity",
            DeclKind::Commodity => "commodity",
            DeclKind::Exemption => "exemption",
            DeclKind::List => "list",
        }
    }
}

/// A declared name, with what an editor shows on hover.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub kind: DeclKind,
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    pub title: Option<String>,
    pub doc: Option<String>,
    /// For a party alias: the ISO code it stands for.
    pub code: Option<String>,
}

/// A use of a declared name (for go-to-definition, references, rename).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub span: Span,
}

/// The checked, resolved rule set.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub declarations: BTreeMap<String, Declaration>,
    pub references: Vec<Reference>,
    /// Alias name → ISO code.
    pub aliases: BTreeMap<String, String>,
    /// Group name → its members, flattened.
    pub groups: BTreeMap<String, BTreeSet<PartyKey>>,
    /// Entity name → the country it is in, if declared.
    pub entities: BTreeMap<String, Option<String>>,
    pub commodities: Vec<Commodity>,
    pub commodity_ids: BTreeMap<String, CommodityId>,
    /// [`Self::commodity_ids`] by hash, built on first use: every event
    /// names its commodity, and a hash lookup is a fraction of a walk down
    /// the tree's string comparisons. Use [`Self::commodity_id`].
    pub commodity_index: std::sync::OnceLock<foldhash::HashMap<Box<str>, CommodityId>>,
    pub exemptions: BTreeSet<String>,
    /// Designation lists by name.
    pub lists: BTreeMap<String, ListDecl>,
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The id of the commodity `name` declares, if any (the checked rule
    /// set does not change after, so the index built once stays true).
    pub fn commodity_id(&self, name: &str) -> Option<CommodityId> {
        self.commodity_index
            .get_or_init(|| {
                self.commodity_ids
                    .iter()
                    .map(|(n, &id)| (n.as_str().into(), id))
                    .collect()
            })
            .get(name)
            .copied()
    }

    /// The keys an event's party field stands for: a country code, an alias,
    /// or an entity (which also stands for the country it is in).
    pub fn resolve_party(&self, name: &str) -> Option<PartyKeys> {
        if crate::iso::is_country(name) {
            return Some(smallvec::smallvec![PartyKey::Country(name.into())]);
        }
        if let Some(code) = self.aliases.get(name) {
            return Some(smallvec::smallvec![PartyKey::Country(code.into())]);
        }
        if let Some(country) = self.entities.get(name) {
            let mut keys: PartyKeys = smallvec::smallvec![PartyKey::Entity(name.into())];
            keys.extend(country.iter().map(|c| PartyKey::Country(c.into())));
            return Some(keys);
        }
        None
    }

    /// The commodity and its ancestors, nearest first.
    pub fn lineage(&self, id: CommodityId) -> impl Iterator<Item = CommodityId> + '_ {
        let mut next = Some(id);
        let mut steps = 0;
        std::iter::from_fn(move || {
            let cur = next?;
            steps += 1;
            // Cycles are rejected by the checker; the bound is a second guard.
            next = if steps > self.commodities.len() {
                None
            } else {
                self.commodities.get(cur).and_then(|c| c.parent)
            };
            Some(cur)
        })
    }

    /// Is `id` the commodity `ancestor` or below it?
    pub fn is_under(&self, id: CommodityId, ancestor: CommodityId) -> bool {
        self.lineage(id).any(|c| c == ancestor)
    }

    /// HS prefixes of a commodity and everything declared under it.
    pub fn hs_prefixes(&self, id: CommodityId) -> Vec<&str> {
        self.hs_prefixes_with(&self.children_index(), id)
    }

    /// The commodities declared directly under each commodity (see
    /// [`RuleSet::subtree`]): built once, it makes questions about what is
    /// under a commodity cost the size of the answer, not of the rule set.
    pub fn children_index(&self) -> Vec<Vec<CommodityId>> {
        let mut out = vec![Vec::new(); self.commodities.len()];
        for (i, c) in self.commodities.iter().enumerate() {
            if let Some(p) = c.parent.filter(|&p| p != i) {
                if let Some(v) = out.get_mut(p) {
                    v.push(i);
                }
            }
        }
        out
    }

    /// A commodity and everything declared under it, in declaration order
    /// (the commodities `d` with `is_under(d, id)`), found through
    /// `children` ([`RuleSet::children_index`]).
    pub fn subtree(&self, children: &[Vec<CommodityId>], id: CommodityId) -> Vec<CommodityId> {
        let mut out = Vec::new();
        if id >= self.commodities.len() {
            return out;
        }
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            if !seen.insert(c) {
                continue;
            }
            out.push(c);
            if let Some(kids) = children.get(c) {
                stack.extend(kids.iter().copied());
            }
        }
        out.sort_unstable();
        out
    }

    /// [`RuleSet::hs_prefixes`] with a children index built beforehand.
    pub fn hs_prefixes_with(&self, children: &[Vec<CommodityId>], id: CommodityId) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .subtree(children, id)
            .into_iter()
            .filter_map(|i| self.commodities.get(i))
            .flat_map(|c| c.hs.iter().map(String::as_str))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Each HS prefix of a commodity and of everything under it, with the
    /// codes it leaves out: the `except` codes of the commodity declaring
    /// the prefix and of every commodity between that one and `id`. A code
    /// is under the commodity when it starts with some prefix and with none
    /// of that prefix's exceptions (see [`in_hs_scope`]).
    pub fn hs_scope_with(
        &self,
        children: &[Vec<CommodityId>],
        id: CommodityId,
    ) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for d in self.subtree(children, id) {
            let Some(c) = self.commodities.get(d) else {
                continue;
            };
            let mut except: Vec<String> = Vec::new();
            for a in self.lineage(d) {
                if let Some(ac) = self.commodities.get(a) {
                    except.extend(ac.except.iter().cloned());
                }
                if a == id {
                    break;
                }
            }
            except.sort_unstable();
            except.dedup();
            for h in &c.hs {
                out.push((h.clone(), except.clone()));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The most specific declared commodity an HS code falls under: the one
    /// with the longest of its codes that `code` starts with and does not
    /// leave out (the first declared, on a tie). Its conversions are the
    /// ones that apply to a shipment given only by HS code.
    pub fn commodity_of_hs(&self, code: &str) -> Option<CommodityId> {
        let mut best: Option<(usize, CommodityId)> = None;
        for (i, c) in self.commodities.iter().enumerate() {
            if c.except.iter().any(|x| code.starts_with(x.as_str())) {
                continue;
            }
            for h in &c.hs {
                if code.starts_with(h.as_str()) && best.is_none_or(|(n, _)| h.len() > n) {
                    best = Some((h.len(), i));
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// The units a commodity's events are declared to come in (inherited).
    pub fn measured_units(&self, id: CommodityId) -> &[Unit] {
        self.lineage(id)
            .filter_map(|c| self.commodities.get(c))
            .map(|c| c.measured.as_slice())
            .find(|m| !m.is_empty())
            .unwrap_or(&[])
    }

    /// Convert an amount for a commodity, exactly: built in within a dimension, else
    /// through the nearest `convert` declared on it or an ancestor.
    pub fn convert(
        &self,
        commodity: Option<CommodityId>,
        amount: &crate::exact::Exact,
        from: &Unit,
        to: &Unit,
    ) -> Option<crate::exact::Exact> {
        if from.dimension == to.dimension {
            return crate::units::convert_same(amount, from, to);
        }
        let id = commodity?;
        self.lineage(id)
            .filter_map(|c| self.commodities.get(c))
            .flat_map(|c| c.conversions.iter())
            .find(|conv| conv.links(&from.dimension, &to.dimension))
            .and_then(|conv| conv.apply(amount, from, to))
    }
}

/// Is `code` within a scope from [`RuleSet::hs_scope_with`]: under one of
/// its prefixes, and not left out by that prefix's exceptions?
pub fn in_hs_scope(scope: &[(String, Vec<String>)], code: &str) -> bool {
    scope.iter().any(|(prefix, except)| {
        code.starts_with(prefix.as_str()) && !except.iter().any(|x| code.starts_with(x.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn report_deadlines() {
        let within = Due::Within(30);
        assert_eq!(within.deadline(d("2023-01-31")), d("2023-03-02"));
        let monthly = Due::MonthlyBy(30);
        assert_eq!(monthly.deadline(d("2019-03-01")), d("2019-04-30"));
        assert_eq!(monthly.deadline(d("2019-03-31")), d("2019-04-30"));
        // February: its last day stands for day 30, in leap years too.
        assert_eq!(monthly.deadline(d("2019-01-31")), d("2019-02-28"));
        assert_eq!(monthly.deadline(d("2020-01-15")), d("2020-02-29"));
        assert_eq!(monthly.deadline(d("2019-12-05")), d("2020-01-30"));
        assert_eq!(
            Due::MonthlyBy(31).deadline(d("2019-03-10")),
            d("2019-04-30")
        );
        let every = Due::Every {
            days: 90,
            from: d("2017-12-22"),
        };
        assert_eq!(every.deadline(d("2017-12-22")), d("2018-03-22"));
        assert_eq!(every.deadline(d("2018-03-21")), d("2018-03-22"));
        assert_eq!(every.deadline(d("2018-03-22")), d("2018-06-20"));
        assert_eq!(every.deadline(d("2018-06-19")), d("2018-06-20"));
        assert_eq!(every.deadline(d("2018-06-20")), d("2018-09-18"));
        // Before the first period: due at its end.
        assert_eq!(every.deadline(d("2017-12-01")), d("2018-03-22"));
    }

    #[test]
    fn commodities_are_found_by_hash_as_in_the_map() {
        let mut rules = RuleSet::default();
        for (i, name) in ["crude_oil", "refined_petroleum", "arms", "a", ""]
            .into_iter()
            .enumerate()
        {
            rules.commodity_ids.insert(name.to_string(), i * 7);
        }
        for name in ["crude_oil", "refined_petroleum", "arms", "a", ""] {
            assert_eq!(
                rules.commodity_id(name),
                rules.commodity_ids.get(name).copied(),
                "{name}"
            );
        }
        for name in ["Crude_oil", "crude_oil ", "oil", "b"] {
            assert_eq!(rules.commodity_id(name), None, "{name}");
        }
        // Asked again: the same index, the same answers.
        assert_eq!(rules.commodity_id("arms"), Some(14));
        assert_eq!(rules.commodity_index.get().map(|m| m.len()), Some(5));
    }
}
