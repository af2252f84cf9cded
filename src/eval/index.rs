//! Which rules can apply to an event, found through an index on goods
//! (commodity and HS prefix) instead of trying every rule.

use crate::events::Event;
use crate::model::{Goods, RuleSet};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct RuleIndex {
    /// Commodity id → rules naming that commodity.
    by_commodity: Vec<Vec<usize>>,
    /// HS prefix → rules covering goods with that prefix.
    by_hs: HashMap<String, Vec<usize>>,
    /// Rules on `any` goods.
    any: Vec<usize>,
}

impl RuleIndex {
    pub fn new(rules: &RuleSet) -> Self {
        let mut ix = RuleIndex {
            by_commodity: vec![Vec::new(); rules.commodities.len()],
            ..RuleIndex::default()
        };
        for (i, r) in rules.rules.iter().enumerate() {
            match &r.goods {
                Goods::Any => ix.any.push(i),
                Goods::Hs(codes) => {
                    for c in codes {
                        ix.by_hs.entry(c.clone()).or_default().push(i);
                    }
                }
                Goods::Commodity(c) => {
                    if let Some(v) = ix.by_commodity.get_mut(*c) {
                        v.push(i);
                    }
                    for p in rules.hs_prefixes(*c) {
                        ix.by_hs.entry(p.to_string()).or_default().push(i);
                    }
                }
            }
        }
        ix
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
                if let Some(v) = self.by_hs.get(&code[..n]) {
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
