//! Reading an input into the evaluator on two threads: one reads, parses and
//! validates records (all of which needs only the rule set), the other
//! evaluates them in input order. The findings are the same as on one
//! thread, byte for byte: records reach the evaluator in the order read.

use super::{decode, Decoded, Evaluator};
use crate::events::read::{read, Input};
use std::io::Read;

/// Records handed from the reading thread to the evaluating one at a time.
const BATCH: usize = 1024;
/// Batches in flight at most: memory stays bounded when evaluation is slower.
const IN_FLIGHT: usize = 8;

/// Read `input` into `evaluator`, on two threads when `parallel`.
pub fn run<R: Read + Send>(
    evaluator: &mut Evaluator<'_>,
    index: u32,
    input: &mut Input,
    reader: R,
    progress: impl FnMut(u64) + Send,
    parallel: bool,
) -> Result<(), String> {
    if !parallel {
        return read(index, input, reader, |item| evaluator.item(item), progress);
    }
    let rules = evaluator.rules();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Decoded>>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let result = read(
                index,
                input,
                reader,
                |item| {
                    batch.push(decode(rules, item));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        // The receiver only goes away if this scope is ending.
                        let _ = tx.send(full);
                    }
                },
                progress,
            );
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            result
        });
        for batch in rx {
            for decoded in batch {
                evaluator.accept(decoded);
            }
        }
        reading
            .join()
            .unwrap_or_else(|_| Err("reading the input stopped unexpectedly".to_string()))
    })
}

/// Two threads only when `SANC_THREADS=2` (or more) asks for them: on this
/// project's benchmark the second thread has not yet paid for handing every
/// event across (see scripts/bench), so one thread is the default.
pub fn parallel_by_default() -> bool {
    std::env::var("SANC_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|n| n >= 2)
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}
