//! Warnings about rule sets that are valid but probably not what was meant.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{DeclKind, Goods, PartySet, Rule, RuleKind};

impl Checker<'_> {
    pub(super) fn lint(&mut self) {
        self.unused_declarations();
        self.shadowed_caps();
    }

    fn unused_declarations(&mut self) {
        // A commodity is in use when a rule names it or anything above or
        // below it: events naming `diesel` are caught by rules on its parent.
        // Computed once for all commodities (comparing each with every
        // rule would be quadratic): which have a rule on them or above
        // them, and which have one below them.
        let n = self.model.commodities.len();
        let mut ruled = vec![false; n];
        for r in &self.model.rules {
            if let Goods::Commodity(id) = r.goods {
                if let Some(x) = ruled.get_mut(id) {
                    *x = true;
                }
            }
        }
        let mut below = vec![false; n];
        for id in (0..n).filter(|&i| ruled[i]) {
            for a in self.model.lineage(id) {
                match below.get_mut(a) {
                    Some(b) if !*b => *b = true,
                    // Already marked, and so is everything above it.
                    _ => break,
                }
            }
        }
        let mut warnings = Vec::new();
        for d in self.model.declarations.values() {
            let used = match d.kind {
                DeclKind::Commodity => {
                    let Some(&id) = self.model.commodity_ids.get(&d.name) else {
                        continue;
                    };
                    self.used.contains(&d.name)
                        || below.get(id).copied().unwrap_or(false)
                        || self.model.lineage(id).any(|a| ruled.get(a) == Some(&true))
                }
                _ => self.used.contains(&d.name),
            };
            if used || self.broken.contains(&d.name) {
                continue;
            }
            let what = match d.kind {
                DeclKind::Commodity => {
                    "no rule applies to it, to a commodity above it or to one below it"
                }
                DeclKind::Exemption => "no rule lists it in `except exemption`",
                _ => "no rule or group refers to it",
            };
            warnings.push(
                Diagnostic::warning(
                    Code::UnusedDeclaration,
                    format!("{} `{}` is never used", d.kind.noun(), d.name),
                )
                .with_label(d.name_span, what)
                .with_help("remove it, or use it in a rule"),
            );
        }
        self.diags.extend(warnings);
    }

    /// A cap whose every event is already banned adds nothing: its findings
    /// (it still reports them) only repeat the ban's.
    fn shadowed_caps(&mut self) {
        // Bans indexed by their goods, so each cap is compared only with the
        // bans that could cover it: linear in the number of rules.
        let mut any = Vec::new();
        let mut by_commodity: foldhash::HashMap<usize, Vec<usize>> = Default::default();
        let mut by_hs: foldhash::HashMap<&str, Vec<usize>> = Default::default();
        for (i, b) in self.model.rules.iter().enumerate() {
            if !matches!(b.kind, RuleKind::Ban) {
                continue;
            }
            match &b.goods {
                Goods::PortCalls => {}
                Goods::Any => any.push(i),
                Goods::Commodity(c) => by_commodity.entry(*c).or_default().push(i),
                Goods::Hs(codes) => {
                    for c in codes {
                        by_hs.entry(c.as_str()).or_default().push(i);
                    }
                }
            }
        }
        if any.is_empty() && by_commodity.is_empty() && by_hs.is_empty() {
            // No ban: no cap is shadowed.
            return;
        }
        let mut found = Vec::new();
        let mut candidates: Vec<usize> = Vec::new();
        // The bans that could cover goods of a commodity, once for each
        // commodity that caps name.
        let mut by_cap_commodity: foldhash::HashMap<usize, Vec<usize>> = Default::default();
        for cap in &self.model.rules {
            if !matches!(cap.kind, RuleKind::Cap { .. } | RuleKind::CapPrice { .. }) {
                continue;
            }
            candidates.clear();
            candidates.extend_from_slice(&any);
            let by_code = |code: &str, out: &mut Vec<usize>| {
                for n in 1..=code.len() {
                    if let Some(v) = code.get(..n).and_then(|p| by_hs.get(p)) {
                        out.extend_from_slice(v);
                    }
                }
            };
            match &cap.goods {
                Goods::Any | Goods::PortCalls => {}
                Goods::Commodity(c) => {
                    let bans = by_cap_commodity.entry(*c).or_insert_with(|| {
                        let mut bans = Vec::new();
                        for a in self.model.lineage(*c) {
                            if let Some(v) = by_commodity.get(&a) {
                                bans.extend_from_slice(v);
                            }
                        }
                        for code in self.model.hs_prefixes_with(&self.children, *c) {
                            by_code(code, &mut bans);
                        }
                        bans
                    });
                    candidates.extend_from_slice(bans);
                }
                Goods::Hs(codes) => {
                    for code in codes {
                        by_code(code, &mut candidates);
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let ban = candidates
                .iter()
                .map(|&i| &self.model.rules[i])
                .find(|b| self.ban_covers(b, cap));
            if let Some(ban) = ban {
                found.push(
                    Diagnostic::warning(
                        Code::ShadowedCap,
                        format!("the cap `{}` adds nothing: `{}` bans every shipment it covers, so each of its findings repeats the ban's", cap.id, ban.id),
                    )
                    .with_label(cap.keyword, "this cap")
                    .with_label(ban.keyword, "is shadowed by this ban")
                    .with_help("end the cap with `until` the day before the ban is `effective`, or remove it"),
                );
            }
        }
        self.diags.extend(found);
    }

    fn ban_covers(&self, ban: &Rule, cap: &Rule) -> bool {
        if !matches!(ban.kind, RuleKind::Ban)
            || !ban.conditions.is_empty()
            || matches!(ban.goods, Goods::PortCalls)
            || ban.severity != crate::diagnostic::Severity::Error
            || !ban.exemptions.is_subset(&cap.exemptions)
        {
            return false;
        }
        let goods = match (&ban.goods, &cap.goods) {
            (Goods::Any, _) => true,
            (Goods::Commodity(b), Goods::Commodity(c)) => self.model.is_under(*c, *b),
            (Goods::Hs(b), Goods::Hs(c)) => c
                .iter()
                .all(|c| b.iter().any(|b| c.starts_with(b.as_str()))),
            (Goods::Hs(b), Goods::Commodity(c)) => {
                let codes = self.model.hs_prefixes_with(&self.children, *c);
                !codes.is_empty()
                    && codes
                        .iter()
                        .all(|c| b.iter().any(|b| c.starts_with(b.as_str())))
            }
            _ => false,
        };
        let starts_before = match (ban.effective, cap.effective) {
            (None, _) => true,
            (Some(b), Some(c)) => b <= c,
            (Some(_), None) => false,
        };
        let ends_after = match (ban.until, cap.until) {
            (None, _) => true,
            (Some(b), Some(c)) => b >= c,
            (Some(_), None) => false,
        };
        goods
            && starts_before
            && ends_after
            && ban.wind_down.is_none()
            && PartySet::covers_opt(ban.from.as_ref(), cap.from.as_ref())
            && PartySet::covers_opt(ban.to.as_ref(), cap.to.as_ref())
            && PartySet::covers_opt(ban.via.as_ref(), cap.via.as_ref())
    }
}
