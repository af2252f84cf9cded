//! Which rules can apply to an event, found through an index on goods
//! (commodity and HS prefix) instead of trying every rule.

use crate::events::Event;
use crate::model::{in_hs_scope, Goods, RuleSet};
use foldhash::HashMap;

#[derive(Debug, Default)]
pub struct RuleIndex {
    /// Commodity id → rules naming that commodity.
    by_commodity: Vec<Vec<usize>>,
    /// HS prefix → rules covering goods with that prefix.
    by_hs: HashMap<String, Vec<usize>>,
    /// The lengths of those prefixes (bit n for length n; bit 63 for 63
    /// and longer): an event's code is looked up only at these lengths.
    hs_lengths: u64,
    /// Rules on `any` goods.
    any: Vec<usize>,
    /// Each rule's HS prefixes (its codes, or its commodity's and those
    /// below it), each with the codes it leaves out (`except`).
    scopes: Vec<Vec<(String, Vec<String>)>>,
    /// A code → the rules with a longer HS prefix that begins with it: the
    /// rules a shipment given only at that precision might fall under.
    narrower: HashMap<String, Vec<usize>>,
    /// Rules on port calls (`ban port calls …`).
    pub port_calls: Vec<usize>,
}

impl RuleIndex {
    pub fn new(rules: &RuleSet) -> Self {
        let mut ix = RuleIndex {
            by_commodity: vec![Vec::new(); rules.commodities.len()],
            ..RuleIndex::default()
        };
        let children = rules.children_index();
        for (i, r) in rules.rules.iter().enumerate() {
            let scope: Vec<(String, Vec<String>)> = match &r.goods {
                Goods::PortCalls => {
                    ix.port_calls.push(i);
                    Vec::new()
                }
                Goods::Any => {
                    ix.any.push(i);
                    Vec::new()
                }
                Goods::Hs(codes) => codes.iter().map(|c| (c.clone(), Vec::new())).collect(),
                Goods::Commodity(c) => {
                    if let Some(v) = ix.by_commodity.get_mut(*c) {
                        v.push(i);
                    }
                    rules.hs_scope_with(&children, *c)
                }
            };
            for (p, _) in &scope {
                ix.hs_lengths |= length_bit(p.len());
                let rules_of = ix.by_hs.entry(p.clone()).or_default();
                if rules_of.last() != Some(&i) {
                    rules_of.push(i);
                }
                for n in 2..p.len() {
                    if let Some(head) = p.get(..n) {
                        let rules_of = ix.narrower.entry(head.to_string()).or_default();
                        if rules_of.last() != Some(&i) {
                            rules_of.push(i);
                        }
                    }
                }
            }
            ix.scopes.push(scope);
        }
        ix
    }

    /// Do the rule's goods cover the event's? The event's commodity is
    /// under the rule's; or its HS code begins with one of the rule's (and
    /// with none of the codes the rule's commodity leaves out); or,
    /// with no HS code, every code of the commodity it names does (a
    /// shipment of `kerosene` is not taken for jet fuel because one kind of
    /// kerosene is).
    pub fn covers(&self, rules: &RuleSet, ri: usize, e: &Event) -> bool {
        let Some(rule) = rules.rules.get(ri) else {
            return false;
        };
        match rule.goods {
            Goods::Any => return true,
            Goods::PortCalls => return false,
            _ => {}
        }
        if let (Goods::Commodity(c), Some(d)) = (&rule.goods, e.commodity) {
            if rules.is_under(d, *c) {
                return true;
            }
        }
        let scope = &self.scopes[ri];
        let under = |code: &str| in_hs_scope(scope, code);
        match (&e.hs, e.commodity.and_then(|d| rules.commodities.get(d))) {
            (Some(h), _) => under(h),
            (None, Some(d)) => !d.hs.is_empty() && d.hs.iter().all(|c| under(c)),
            (None, None) => false,
        }
    }

    /// The rule's HS prefixes longer than `code` that begin with it.
    pub fn lines_under<'a>(&'a self, ri: usize, code: &str) -> Vec<&'a str> {
        self.scopes.get(ri).map_or_else(Vec::new, |s| {
            s.iter()
                .map(|(p, _)| p.as_str())
                .filter(|p| p.len() > code.len() && p.starts_with(code))
                .collect()
        })
    }

    /// The rules with an HS prefix longer than `code` that begins with it.
    pub fn narrower(&self, code: &str) -> &[usize] {
        self.narrower.get(code).map_or(&[], Vec::as_slice)
    }

    /// The rules whose goods cover the event's goods, ascending, no repeats.
    pub fn candidates(&self, rules: &RuleSet, e: &Event, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.any);
        if let Some(c) = e.commodity {
            for id in rules.lineage(c) {
                if let Some(v) = self.by_commodity.get(id) {
                    out.extend_from_slice(v);
                }
            }
        }
        let mut by_code = |code: &str| {
            for n in 2..=code.len() {
                if self.hs_lengths & length_bit(n) == 0 {
                    continue;
                }
                if let Some(v) = code.get(..n).and_then(|head| self.by_hs.get(head)) {
                    out.extend_from_slice(v);
                }
            }
        };
        match (&e.hs, e.commodity) {
            (Some(h), _) => by_code(h),
            // No HS code on the event: use the codes of the commodity it names.
            (None, Some(c)) => {
                if let Some(com) = rules.commodities.get(c) {
                    for h in &com.hs {
                        by_code(h);
                    }
                }
            }
            (None, None) => {}
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// The bit of [`RuleIndex::hs_lengths`] for a prefix of `n` bytes.
fn length_bit(n: usize) -> u64 {
    1 << n.min(63)
}
