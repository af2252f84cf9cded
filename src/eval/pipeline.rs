//! Reading an input into the evaluator on every core.
//!
//! One thread reads: it finds where each record begins and ends (lines,
//! array elements, CSV rows) and copies the text of JSON objects into
//! batches, unparsed. Worker threads parse and validate the batches (which
//! needs only the rule set). The calling thread evaluates the decoded
//! batches strictly in the order they were read, so the findings, the
//! diagnostics and their locations are the same as on one thread, byte for
//! byte. CSV rows are split into cells by the reading thread (the csv
//! crate's reused `ByteRecord`), and decoded into fields by the workers.

use super::{Decoded, Evaluator, Judge, Pending};
use crate::events::read::{read, Input, Item, Row};
use crate::events::EventLoc;
use std::collections::BTreeMap;
use std::io::Read;

/// A batch is handed on when it holds this many records …
const BATCH_RECORDS: usize = 64;
/// … or this much unparsed text.
const BATCH_BYTES: usize = 64 << 10;
/// Batches read but not yet evaluated, at most: memory stays bounded
/// (about `IN_FLIGHT × BATCH_BYTES` of text, 1 MiB) when evaluation is
/// slower than reading. Many small batches rather than a few large ones:
/// a batch is evaluated only after those before it, so with few in flight
/// the cores wait on the slowest; and a small batch's events are still in
/// the cache when they are evaluated.
const IN_FLIGHT: usize = 16;

/// One record of a batch: already decoded by the reading thread, or the
/// range of an unparsed JSON object in the batch's text.
enum Entry {
    Done(Decoded),
    Json {
        start: usize,
        end: usize,
        loc: EventLoc,
    },
    /// A CSV row: its text in the batch's text, its cells in the batch's
    /// cells, where each cell ends in the batch's ends.
    Row {
        text: (usize, usize),
        cells: (usize, usize),
        ends: (usize, usize),
        loc: EventLoc,
    },
}

#[derive(Default)]
struct Batch {
    seq: u64,
    text: String,
    entries: Vec<Entry>,
    /// CSV: the cells of the rows, one after the other …
    cells: Vec<u8>,
    /// … where each cell ends, from the start of its row's cells …
    ends: Vec<u32>,
    /// … and the event field of each column (the same for every row).
    columns: Vec<Option<crate::events::Column>>,
}

impl Batch {
    fn full(&self) -> bool {
        self.entries.len() >= BATCH_RECORDS || self.text.len() + self.cells.len() >= BATCH_BYTES
    }

    /// Keep a record for a worker: JSON text and CSV rows are copied into
    /// the batch, anything else is decoded now.
    fn push(&mut self, item: Item, judge: &mut Judge<'_>) {
        match item {
            Item::Json { text, loc } => {
                let start = self.text.len();
                self.text.push_str(text);
                let end = self.text.len();
                self.entries.push(Entry::Json { start, end, loc });
            }
            Item::Row(row) => {
                if self.columns.is_empty() {
                    self.columns.extend_from_slice(row.columns);
                }
                let text = (self.text.len(), self.text.len() + row.text.len());
                self.text.push_str(row.text);
                let cells = (self.cells.len(), self.cells.len() + row.cells.len());
                self.cells.extend_from_slice(row.cells);
                let ends = (self.ends.len(), self.ends.len() + row.ends.len());
                self.ends.extend_from_slice(row.ends);
                self.entries.push(Entry::Row {
                    text,
                    cells,
                    ends,
                    loc: row.loc,
                });
            }
            other => self.entries.push(Entry::Done(judge.decode(other))),
        }
    }

    /// Parse, validate and judge every record, in order, into `out`; the
    /// batch is left empty, its buffers ready to be filled again.
    fn decode(&mut self, judge: &mut Judge<'_>, out: &mut Vec<Decoded>) {
        let Batch {
            text,
            entries,
            cells,
            ends,
            columns,
            ..
        } = self;
        // Ranges are taken from the buffers as they were filled.
        let pending = entries.drain(..).map(|entry| match entry {
            Entry::Done(d) => Pending::Decoded(d),
            Entry::Json { start, end, loc } => Pending::Json {
                text: text.get(start..end).unwrap_or_default(),
                loc,
            },
            Entry::Row {
                text: t,
                cells: c,
                ends: e,
                loc,
            } => Pending::Row(Row {
                cells: cells.get(c.0..c.1).unwrap_or_default(),
                ends: ends.get(e.0..e.1).unwrap_or_default(),
                columns,
                loc,
                text: text.get(t.0..t.1).unwrap_or_default(),
            }),
        });
        judge.decode_all(pending, out);
        text.clear();
        cells.clear();
        ends.clear();
        columns.clear();
    }
}

/// After this many records, how far they reach into an input of known
/// length tells about how many it holds.
const SAMPLE: u64 = 4096;

/// Tells, once, about how many records an input of `len` bytes holds,
/// from where its first [`SAMPLE`] records end.
struct Estimate {
    len: Option<u64>,
    records: u64,
}

impl Estimate {
    fn see(&mut self, item: &Item) -> Option<usize> {
        let loc = match item {
            Item::Json { loc, .. } => loc,
            Item::Row(row) => &row.loc,
            _ => return None,
        };
        self.records += 1;
        if self.records != SAMPLE {
            return None;
        }
        let read = loc.offset + u64::from(loc.len);
        let len = self.len.filter(|_| read > 0)?;
        usize::try_from(u128::from(len) * u128::from(SAMPLE) / u128::from(read)).ok()
    }
}

/// How many threads parse and validate: `SANC_THREADS` if set (1 reads,
/// parses and evaluates on the calling thread alone), otherwise one per
/// core.
pub fn workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::env::var("SANC_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(cores)
        .clamp(1, 64)
}

/// Read `input` into `evaluator`, with `workers` threads parsing and
/// validating (none when `workers` is 1: everything on this thread).
/// `len`: the input's length in bytes, when known (a file).
#[allow(clippy::too_many_arguments)]
pub fn run<R: Read + Send>(
    evaluator: &mut Evaluator<'_>,
    index: u32,
    input: &mut Input,
    reader: R,
    len: Option<u64>,
    progress: impl FnMut(u64) + Send,
    workers: usize,
) -> Result<(), String> {
    let mut estimate = Estimate { len, records: 0 };
    if workers <= 1 {
        let take = |item: Item| {
            if let Some(n) = estimate.see(&item) {
                evaluator.expect_records(n);
            }
            evaluator.item(item)
        };
        return read(index, input, reader, take, progress);
    }
    // The reading thread's estimate, for the evaluating one (0: none yet).
    let expected = std::sync::atomic::AtomicUsize::new(0);
    let expected = &expected;
    let (job_tx, job_rx) = crossbeam_channel::unbounded::<Batch>();
    // Batches come back empty from the workers, with their buffers, to be
    // filled again: no buffer is grown anew for every batch.
    let (spare_tx, spare_rx) = crossbeam_channel::unbounded::<Batch>();
    // The decoded records of a batch, with the worker that decoded them.
    let (done_tx, done_rx) = crossbeam_channel::unbounded::<(u64, usize, Vec<Decoded>)>();
    // A token per batch in flight: the reader takes one before handing a
    // batch on, the evaluator gives it back once the batch is evaluated.
    let (token_tx, token_rx) = crossbeam_channel::bounded::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = token_tx.send(());
    }
    std::thread::scope(|scope| {
        // Evaluated records go back to the worker that decoded them, which
        // drops what is left of them (memory is freed by the thread that
        // allocated it) and reuses the list.
        let mut evaluated = Vec::new();
        for worker in 0..workers {
            let (job_rx, done_tx, spare_tx) = (job_rx.clone(), done_tx.clone(), spare_tx.clone());
            let (back_tx, back_rx) = crossbeam_channel::unbounded::<Vec<Decoded>>();
            evaluated.push(back_tx);
            let mut judge = evaluator.judge();
            scope.spawn(move || {
                for mut batch in job_rx {
                    let mut out = back_rx.try_recv().unwrap_or_default();
                    out.clear();
                    while let Ok(more) = back_rx.try_recv() {
                        drop(more);
                    }
                    let seq = batch.seq;
                    batch.decode(&mut judge, &mut out);
                    let _ = spare_tx.send(batch);
                    if done_tx.send((seq, worker, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((job_rx, done_tx, spare_tx));
        let mut judge = evaluator.judge();
        let reading = scope.spawn(move || {
            let mut batch = Batch::default();
            let mut seq = 0;
            let mut hand_on = |batch: &mut Batch| {
                let mut full = std::mem::replace(batch, spare_rx.try_recv().unwrap_or_default());
                full.seq = seq;
                seq += 1;
                // Both only fail if the evaluating side is gone, i.e. the
                // scope is ending anyway.
                let _ = token_rx.recv();
                let _ = job_tx.send(full);
            };
            let result = read(
                index,
                input,
                reader,
                |item| {
                    if let Some(n) = estimate.see(&item) {
                        expected.store(n, std::sync::atomic::Ordering::Relaxed);
                    }
                    batch.push(item, &mut judge);
                    if batch.full() {
                        hand_on(&mut batch);
                    }
                },
                progress,
            );
            if !batch.entries.is_empty() {
                hand_on(&mut batch);
            }
            result
        });
        // Evaluate in the order read, whatever order workers finish in.
        let mut waiting: BTreeMap<u64, (usize, Vec<Decoded>)> = BTreeMap::new();
        let mut next = 0;
        for (seq, worker, decoded) in done_rx {
            let n = expected.swap(0, std::sync::atomic::Ordering::Relaxed);
            if n > 0 {
                evaluator.expect_records(n);
            }
            waiting.insert(seq, (worker, decoded));
            while let Some((worker, mut batch)) = waiting.remove(&next) {
                evaluator.accept_batch(&mut batch);
                if let Some(back) = evaluated.get(worker) {
                    let _ = back.send(batch);
                }
                next += 1;
                let _ = token_tx.send(());
            }
        }
        reading
            .join()
            .unwrap_or_else(|_| Err("reading the input stopped unexpectedly".to_string()))
    })
}
