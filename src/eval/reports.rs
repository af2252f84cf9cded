//! Reporting duties: every matching shipment must be covered by a `report`
//! event dated no later than its deadline (N days after it, a day of the
//! next month, or the end of its period); open deadlines are pending.

use super::finding::{Facts, Finding, FindingKind, ReportFacts, ReportStatus, TextId};
use super::violation_kind;
use crate::diagnostic::{Code, Severity};
use crate::events::{Effect, Event, EventDiagnostic, EventLoc, Evidence};
use crate::model::{Due, RuleSet};
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(Debug)]
struct Shipment {
    rule: usize,
    date: NaiveDate,
    id: Box<str>,
    loc: EventLoc,
    due: Due,
    evidence: Evidence,
    source: Option<TextId>,
}

#[derive(Debug)]
struct Report {
    id: Box<str>,
    date: NaiveDate,
    loc: EventLoc,
    covers: Vec<Box<str>>,
}

#[derive(Debug, Default)]
pub struct Reports {
    shipments: Vec<Shipment>,
    reports: Vec<Report>,
}

impl Reports {
    pub fn shipment(&mut self, rule: usize, e: &Event, due: Due, source: Option<TextId>) {
        self.shipments.push(Shipment {
            rule,
            date: e.date,
            id: e.id.as_str().into(),
            loc: e.loc,
            due,
            evidence: e.evidence,
            source,
        });
    }

    pub fn report(&mut self, e: &Event) {
        self.reports.push(Report {
            id: e.id.as_str().into(),
            date: e.date,
            loc: e.loc,
            covers: e.covers.iter().map(|c| c.as_str().into()).collect(),
        });
    }

    pub fn forget(&mut self, gone: impl Fn(&str) -> bool) {
        self.shipments.retain(|s| !gone(&s.id));
        self.reports.retain(|r| !gone(&r.id));
    }

    /// Judge every shipment as of `as_of`; `known` says whether an id is in the stream.
    pub fn judge(
        &mut self,
        rules: &RuleSet,
        as_of: NaiveDate,
        known: impl Fn(&str) -> bool,
    ) -> (Vec<Finding>, Vec<EventDiagnostic>) {
        let mut diags = Vec::new();
        // Each shipment's reports, by date; a report dated before the
        // shipment cannot be reporting it and does not count.
        let mut by_id: HashMap<&str, Vec<(NaiveDate, &str)>> = HashMap::new();
        // A report dated after the as-of day did not exist on that day.
        for r in self.reports.iter().filter(|r| r.date <= as_of) {
            for c in &r.covers {
                if !known(c) {
                    diags.push(crate::diagnostic::Diagnostic::from(crate::diagnostic::EventProblem {
                        code: Code::EventUnknownCover,
                        // The report itself was read and counted; only its
                        // link to a shipment is missing.
                        severity: Severity::Warning,
                        message: format!("the report covers `{c}`, which is not an evaluated event in the input (missing, or rejected)"),
                        help: Some("`covers` lists ids of shipments in the same run; check the id, or add the shipment".into()),
                        loc: r.loc,
                        field: Some("covers".into()),
                        event_id: Some(r.id.to_string()),
                        effect: Effect::Remark,
                        rule: None,
                        text: None,
                    }));
                    continue;
                }
                by_id.entry(c).or_default().push((r.date, &r.id));
            }
        }
        for v in by_id.values_mut() {
            v.sort_unstable();
        }
        let mut out = Vec::new();
        for s in &self.shipments {
            let rule = &rules.rules[s.rule];
            let deadline = s.due.deadline(s.date);
            let first = by_id
                .get(&*s.id)
                .and_then(|v| v.iter().find(|(d, _)| *d >= s.date));
            let (kind, status) = match first {
                Some((d, _)) if *d <= deadline => continue,
                Some((d, rid)) => (
                    violation_kind(rule),
                    ReportStatus::Late {
                        report: (*rid).into(),
                        on: *d,
                    },
                ),
                None if as_of <= deadline => {
                    (FindingKind::Warning, ReportStatus::Pending { as_of })
                }
                None => (violation_kind(rule), ReportStatus::Missing { as_of }),
            };
            out.push(Finding {
                rule: s.rule,
                kind,
                event: s.id.clone(),
                date: s.date,
                evidence: s.evidence,
                source: s.source,
                loc: s.loc,
                facts: Facts::Report(Box::new(ReportFacts {
                    due: s.due,
                    deadline,
                    status,
                })),
            });
        }
        (out, diags)
    }
}
