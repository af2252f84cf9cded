//! A rule's conditions on how goods moved and who took part: the transfer
//! mode, vessels' flags, parties' nationalities, and designation lists.
//! List conditions give facts ([`ListMatch`]): which entry matched which
//! field of the event, and how.

use crate::events::{Event, Vessel};
use crate::lists::{List, ListMatch, Method};
use crate::model::{ListCondition, PartyKey, PartySet, Rule, RuleSet, Who};
use crate::roles::Participant;

/// Do the rule's conditions hold for the event? `Some`: they do, with the
/// list matches that made them hold (empty when the rule names no list).
pub fn check(rules: &RuleSet, rule: &Rule, e: &Event) -> Option<Vec<ListMatch>> {
    let c = &rule.conditions;
    if c.transfer.is_some_and(|t| e.transfer != Some(t)) {
        return None;
    }
    for (_, set) in &c.flagged {
        if !vessels(e).any(|(_, v)| flag_in(v, set)) {
            return None;
        }
    }
    for (who, set) in &c.nationality {
        let found = e
            .parties
            .iter()
            .filter(|p| who.includes(Participant::Role(p.role)))
            .any(|p| {
                p.keys.iter().any(|k| set.contains(k))
                    || p.country
                        .as_ref()
                        .is_some_and(|c| set.contains(&PartyKey::Country(c.as_str().into())))
            });
        if !found {
            return None;
        }
    }
    let mut out = Vec::new();
    for lc in &c.listed {
        let before = out.len();
        matches(rules, lc, e, &mut out);
        if out.len() == before {
            return None;
        }
    }
    Some(out)
}

/// The matches of a `provided no …` condition (empty: the supply is permitted).
pub fn provided(rules: &RuleSet, rule: &Rule, e: &Event) -> Vec<ListMatch> {
    let mut out = Vec::new();
    if let Some(lc) = &rule.conditions.provided {
        matches(rules, lc, e, &mut out);
    }
    out
}

fn vessels(e: &Event) -> impl Iterator<Item = (&'static str, &Vessel)> {
    [
        ("vessel", e.vessel.as_deref()),
        ("counterpart_vessel", e.counterpart.as_deref()),
    ]
    .into_iter()
    .filter_map(|(f, v)| v.map(|v| (f, v)))
}

fn flag_in(v: &Vessel, set: &PartySet) -> bool {
    match (&v.flag, set) {
        (None, _) => false,
        (Some(_), PartySet::Any) => true,
        (Some(f), set) => set.contains(&PartyKey::Country(f.as_str().into())),
    }
}

/// Every entry of the condition's list that a participant it asks about
/// matches on the event's date.
fn matches(rules: &RuleSet, lc: &ListCondition, e: &Event, out: &mut Vec<ListMatch>) {
    let Some(list) = rules.lists.get(&lc.list).and_then(|l| l.data.as_deref()) else {
        return;
    };
    // First probe the list's filter with every IMO number and name the
    // condition asks about (most are on no list): the probes are
    // independent, so their memory accesses overlap. Bit `i` of `maybe` is
    // set when the i-th value may match (with fuzzy matching, every name
    // may); beyond 64 values, every one is looked up.
    let mut maybe = 0u64;
    let mut i = 0u32;
    let mut probe = |hit: bool| {
        maybe |= u64::from(hit) << i.min(63);
        i += 1;
    };
    let fuzzy = lc.fuzzy.is_some();
    let vessel = lc.who.includes(Participant::Vessel);
    if vessel {
        for (_, v) in vessels(e) {
            probe(v.imo.is_some_and(|n| list.may_have_imo(n)));
            probe(
                v.name
                    .as_deref()
                    .is_some_and(|n| fuzzy || list.may_have_name(n)),
            );
        }
    }
    for p in &e.parties {
        if !lc.who.includes(Participant::Role(p.role)) {
            continue;
        }
        probe(fuzzy || list.may_have_name(&p.name));
        probe(title(rules, p).is_some_and(|t| fuzzy || list.may_have_name(t)));
    }
    if maybe == 0 && i <= 64 {
        return;
    }
    let mut i = 0u32;
    let mut next = || {
        let m = i >= 63 || maybe & (1 << i) != 0;
        i += 1;
        m
    };
    if vessel {
        for (field, v) in vessels(e) {
            let start = out.len();
            if next() {
                if let Some(imo) = v.imo {
                    for entry in list.by_imo(imo, e.date) {
                        out.push(fact(list, entry, field, &format!("IMO {imo}"), Method::Imo));
                    }
                }
            }
            if next() {
                if let Some(name) = &v.name {
                    by_name(list, lc, e, field, name, start, out);
                }
            }
        }
    }
    for p in &e.parties {
        if !lc.who.includes(Participant::Role(p.role)) {
            continue;
        }
        let field = p.role.field();
        let start = out.len();
        if next() {
            by_name(list, lc, e, field, &p.name, start, out);
        }
        // An entity of the rules is also matched by its declared title.
        if next() {
            if let Some(title) = title(rules, p) {
                by_name(list, lc, e, field, title, start, out);
            }
        }
    }
    if matches!(lc.who, Who::AnyParty) && out.len() > 1 {
        dedup(out);
    }
}

/// The declared title of a party that is an entity of the rules.
fn title<'r>(rules: &'r RuleSet, p: &crate::events::vessel::RoleParty) -> Option<&'r str> {
    match p.keys.first() {
        Some(PartyKey::Entity(n)) => rules
            .declarations
            .get(n.as_str())
            .and_then(|d| d.title.as_deref()),
        _ => None,
    }
}

fn by_name(
    list: &List,
    lc: &ListCondition,
    e: &Event,
    field: &str,
    name: &str,
    start: usize,
    out: &mut Vec<ListMatch>,
) {
    for (entry, m) in list.by_name(name, e.date, lc.fuzzy) {
        // One fact per entry and field: an IMO match says more than a name.
        if out[start..]
            .iter()
            .any(|f| *f.entry_reference == *entry.reference)
        {
            continue;
        }
        out.push(fact(list, entry, field, name, m));
    }
}

fn fact(
    list: &List,
    entry: &crate::lists::Entry,
    field: &str,
    value: &str,
    method: Method,
) -> ListMatch {
    ListMatch {
        list: list.name.as_str().into(),
        entry_reference: entry.reference.as_str().into(),
        entry_name: entry.name.as_str().into(),
        listed_on: entry.listed_on,
        delisted_on: entry.delisted_on,
        field: field.into(),
        value: value.into(),
        method,
    }
}

fn dedup(out: &mut Vec<ListMatch>) {
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert((m.field.clone(), m.entry_reference.clone(), m.list.clone())));
}
