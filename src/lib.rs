//! sanc: a declarative language for sanctions regimes, and an evaluator that
//! checks event streams against it.
//!
//! The pipeline is visible in the modules: [`source`] (files, spans) →
//! [`syntax`] (pest grammar → typed AST with spans) → [`check`] (names,
//! units, dates → diagnostics and the checked [`model`]) → [`report`]
//! (human, JSON).
//!
//! ```
//! let rules = sanc::loader::load_texts([(
//!     "dprk.sanc",
//!     "ban arms to PRK cite \"UNSCR 1718 (2006) OP 8(a)\"\ncommodity arms = hs 93\n",
//! )]);
//! assert!(!rules.has_errors());
//! assert_eq!(rules.checked.rules.rules[0].id, "ban-arms-to-PRK");
//! ```
#![forbid(unsafe_code)]

pub mod analysis;
pub mod check;
pub mod dates;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod events;
pub mod exact;
pub mod fmt;
pub mod iso;
pub mod lists;
pub mod loader;
pub mod lsp;
pub mod model;
pub mod project;
pub mod report;
pub mod roles;
pub mod source;
pub mod sql;
pub mod suggest;
pub mod syntax;
pub mod testing;
pub mod units;
