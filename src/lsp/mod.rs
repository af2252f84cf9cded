//! `sanc lsp`: a Language Server Protocol server over standard input and
//! output, built on the same parser and checker as `sanc check`, so an
//! editor shows exactly the diagnostics the command line prints.
//!
//! Synchronous and single-threaded (lsp-server, as rust-analyzer and ruff
//! use): a re-check of a whole rule set takes milliseconds. Every request
//! is answered, even when a handler fails: a bad buffer never takes the
//! server down.

mod convert;
pub mod features;
pub mod transport;
pub mod workspace;

pub use convert::diagnostic as to_lsp_diagnostic;
pub use workspace::{Analysis, Workspace};

use crate::source::FileId;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use transport::{Frame, FrameReader};

/// Run the server on standard input and output until the client exits.
/// `Ok(true)`: the client asked to shut down before it exited (exit code
/// 0); `Ok(false)`: it exited, or its input ended, without (exit code 1).
///
/// Our own framing, not lsp-server's stdio threads: those panic on some
/// failures (a huge `Content-Length`, a closed standard output) where we
/// want an error message and an exit code, and end on a malformed frame,
/// where we answer it and go on.
pub fn run_stdio() -> Result<bool, String> {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    // Whether the reader has handed out everything it read (and waits for
    // more input): then a burst of changes has ended.
    let idle = Arc::new(AtomicBool::new(false));
    let reader_idle = idle.clone();
    let reader = std::thread::Builder::new()
        .name("sanc-lsp-reader".into())
        .spawn(move || -> Result<(), String> {
            let mut frames = FrameReader::new(std::io::stdin().lock());
            loop {
                reader_idle.store(frames.drained(), Ordering::SeqCst);
                let frame = frames.next_frame();
                reader_idle.store(false, Ordering::SeqCst);
                match frame {
                    Ok(Some(frame)) => {
                        let msg = frame_message(frame);
                        let exit = matches!(&msg, Message::Notification(n) if n.method == lsp::notification::Exit::METHOD);
                        if to_server.send(msg).is_err() || exit {
                            return Ok(());
                        }
                    }
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(format!("cannot read standard input: {e}")),
                }
            }
        })
        .map_err(|e| format!("cannot start: {e}"))?;
    let writer = std::thread::Builder::new()
        .name("sanc-lsp-writer".into())
        .spawn(move || -> Result<(), String> {
            let mut stdout = std::io::stdout().lock();
            for msg in from_server {
                msg.write(&mut stdout)
                    .map_err(|e| format!("cannot write to standard output: {e}"))?;
            }
            Ok(())
        })
        .map_err(|e| format!("cannot start: {e}"))?;
    let served = serve_with(&server, true, Some(&idle));
    // The writer ends once the server's sender is gone.
    drop(server);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err("the writer thread failed".into()));
    // A failed write explains a failed send, so it goes first.
    written?;
    let clean = served?;
    // The reader may still wait on standard input; it only matters if it
    // ended, with input that could not be read.
    if reader.is_finished() {
        reader
            .join()
            .unwrap_or_else(|_| Err("the reader thread failed".into()))?;
    }
    Ok(clean)
}

/// The method of the in-process notification that stands for a frame
/// that could not be read (the server answers or logs it in turn).
const BAD_MESSAGE: &str = "$/sanc/badMessage";

fn frame_message(frame: Frame) -> Message {
    match frame {
        Frame::Message(m) => m,
        Frame::Bad { id, code, why } => Message::Notification(Notification::new(
            BAD_MESSAGE.into(),
            serde_json::json!({ "id": id, "code": code as i32, "message": why }),
        )),
    }
}

/// Answer a frame that could not be read: an error response when its id
/// is known, otherwise a line on standard error (when `log`).
fn answer_bad(
    connection: &Connection,
    params: &serde_json::Value,
    log: bool,
) -> Result<(), String> {
    let why = params["message"].as_str().unwrap_or("a bad message");
    let id: Option<RequestId> = serde_json::from_value(params["id"].clone()).ok();
    match id {
        Some(id) => {
            let code = params["code"]
                .as_i64()
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or(ErrorCode::InvalidRequest as i32);
            send(
                connection,
                Message::Response(Response::new_err(id, code, why.to_string())),
            )
        }
        None => {
            if log {
                use std::io::Write;
                let _ = writeln!(std::io::stderr().lock(), "sanc lsp: skipped {why}");
            }
            Ok(())
        }
    }
}

pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "[".into(), ",".into()]),
            ..lsp::CompletionOptions::default()
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..lsp::ServerCapabilities::default()
    }
}

/// Serve one client on a connection (standard I/O, or in memory in
/// tests); `Ok(true)` if it asked to shut down before it left.
pub fn serve(connection: &Connection) -> Result<bool, String> {
    serve_with(connection, true, None)
}

/// Run the server over in-memory bytes: every LSP message in `input`
/// (`Content-Length` framed, as on standard input) is handled in turn and
/// the replies are written to `output`. The disk is never read: workspace
/// folders are ignored and closing a file forgets it. Frames that cannot
/// be read are answered (or skipped) as on standard input. For fuzzing
/// and tests.
pub fn serve_bytes(input: &[u8], output: &mut impl std::io::Write) -> Result<(), String> {
    let (server, client) = Connection::memory();
    let mut frames = FrameReader::new(input);
    // The channels are unbounded: queue the whole session first.
    while let Ok(Some(frame)) = frames.next_frame() {
        if client.sender.send(frame_message(frame)).is_err() {
            break;
        }
    }
    drop(client.sender);
    let served = serve_with(&server, false, None);
    drop(server);
    for msg in client.receiver.try_iter() {
        msg.write(&mut *output).map_err(|e| e.to_string())?;
    }
    served.map(|_| ())
}

/// How long the server waits for more changes before it re-checks: a burst
/// of edits (typing, a paste, a find-and-replace) is checked once.
const QUIET: Duration = Duration::from_millis(10);

/// How long it waits instead once the reader has handed out every byte it
/// read from standard input (a burst written at once has been read whole):
/// only for the rest of a message cut in two by the pipe.
const GRACE: Duration = Duration::from_millis(2);

/// The initialize handshake, then every message until the client exits or
/// goes away. Replies that cannot be sent (the client is gone, or standard
/// output failed) end the session with an error, never a panic.
///
/// Changes are applied as they come but checked only once the client has
/// been quiet for [`QUIET`] ([`GRACE`] once `idle`: the reader of standard
/// input has nothing left that it read), or before the next request is
/// answered: the rule set is checked once per burst, on its latest text.
fn serve_with(
    connection: &Connection,
    disk: bool,
    idle: Option<&AtomicBool>,
) -> Result<bool, String> {
    let Some(params) = initialize(connection, disk)? else {
        return Ok(false);
    };
    let roots = if disk { roots(&params) } else { Vec::new() };
    let mut workspace = Workspace::new(roots);
    workspace.read_disk = disk;
    let mut server = Server {
        workspace,
        published: HashSet::new(),
        test_published: HashSet::new(),
        dirty: Vec::new(),
        watch: disk && watches_dynamically(&params),
    };
    let mut shutting_down = false;
    loop {
        let msg = if server.dirty.is_empty() {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(shutting_down),
            }
        } else {
            let quiet = match idle {
                Some(i) if i.load(Ordering::SeqCst) => GRACE,
                _ => QUIET,
            };
            match connection.receiver.recv_timeout(quiet) {
                Ok(m) => m,
                Err(e) => {
                    server.flush(connection)?;
                    if e.is_disconnected() {
                        return Ok(shutting_down);
                    }
                    continue;
                }
            }
        };
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let response = if shutting_down {
                    Response::new_err(
                        id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".into(),
                    )
                } else if req.method == lsp::request::Shutdown::METHOD {
                    shutting_down = true;
                    Response::new_ok(id, serde_json::Value::Null)
                } else {
                    // Answers come from the latest text, its diagnostics
                    // published first.
                    server.flush(connection)?;
                    catch_unwind(AssertUnwindSafe(|| server.request(req))).unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "sanc failed on this request".into(),
                        )
                    })
                };
                send(connection, Message::Response(response))?;
            }
            Message::Notification(n) if n.method == lsp::notification::Exit::METHOD => {
                return Ok(shutting_down);
            }
            Message::Notification(n) if n.method == BAD_MESSAGE => {
                answer_bad(connection, &n.params, disk)?;
            }
            Message::Notification(_) if shutting_down => {}
            Message::Notification(n)
                if n.method == lsp::notification::DidSaveTextDocument::METHOD =>
            {
                // A saved rule or test file: run the rule set's tests.
                let saved = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| path_of(&p.text_document.uri));
                if let Some(path) = saved {
                    server.flush(connection)?;
                    let out = catch_unwind(AssertUnwindSafe(|| server.run_tests(&path)))
                        .unwrap_or_default();
                    for n in out {
                        send(connection, Message::Notification(n))?;
                    }
                }
            }
            Message::Notification(n) => {
                if n.method == lsp::notification::Initialized::METHOD && server.watch {
                    send(connection, Message::Request(watch_request()))?;
                }
                let changed =
                    catch_unwind(AssertUnwindSafe(|| server.notification(n))).unwrap_or_default();
                for path in changed {
                    let set = server.workspace.set_of(&path);
                    if !server.dirty.contains(&set) {
                        server.dirty.push(set);
                    }
                }
            }
            Message::Response(_) => {}
        }
    }
}

/// Whether the client can be asked to watch files for the server.
fn watches_dynamically(params: &lsp::InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// Ask the client to report created, changed and deleted `.sanc` files
/// and project files.
fn watch_request() -> Request {
    let options = lsp::DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![
            lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String("**/*.sanc".into()),
                kind: None,
            },
            lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String("**/sanc.toml".into()),
                kind: None,
            },
        ],
    };
    Request::new(
        RequestId::from("sanc-watch-files".to_string()),
        lsp::request::RegisterCapability::METHOD.into(),
        lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "sanc-watch-files".into(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(json(options)),
            }],
        },
    )
}

/// Wait for `initialize` and answer it (lsp-server's own handshake panics
/// when a reply cannot be sent); `initialized` is then an ordinary
/// notification. `None`: the client exited or went away first.
fn initialize(connection: &Connection, log: bool) -> Result<Option<lsp::InitializeParams>, String> {
    let params = loop {
        let Ok(msg) = connection.receiver.recv() else {
            return Ok(None);
        };
        match msg {
            Message::Request(req) if req.method == lsp::request::Initialize::METHOD => {
                // Parameters that do not parse still start a session.
                let params: lsp::InitializeParams =
                    serde_json::from_value(req.params).unwrap_or_default();
                let result = lsp::InitializeResult {
                    capabilities: capabilities(),
                    server_info: Some(lsp::ServerInfo {
                        name: "sanc".into(),
                        version: Some(env!("CARGO_PKG_VERSION").into()),
                    }),
                };
                send(
                    connection,
                    Message::Response(Response::new_ok(req.id, result)),
                )?;
                break params;
            }
            Message::Request(req) => {
                let not_yet = Response::new_err(
                    req.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".into(),
                );
                send(connection, Message::Response(not_yet))?;
            }
            Message::Notification(n) if n.method == lsp::notification::Exit::METHOD => {
                return Ok(None);
            }
            Message::Notification(n) if n.method == BAD_MESSAGE => {
                answer_bad(connection, &n.params, log)?;
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    };
    Ok(Some(params))
}

fn send(connection: &Connection, msg: Message) -> Result<(), String> {
    connection
        .sender
        .send(msg)
        .map_err(|_| "cannot reply: the client is gone".to_string())
}

/// The folders whose `.sanc` files form rule sets.
#[allow(deprecated)]
fn roots(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().ok())
        .collect();
    if out.is_empty() {
        out.extend(params.root_uri.as_ref().and_then(|u| u.to_file_path().ok()));
    }
    out
}

struct Server {
    workspace: Workspace,
    /// Files we have published diagnostics for (to clear them later).
    published: HashSet<PathBuf>,
    /// Test files we have published test results for.
    test_published: HashSet<PathBuf>,
    /// Rule sets changed since they were last checked, in order of change.
    dirty: Vec<PathBuf>,
    /// Whether the client watches `.sanc` files for us.
    watch: bool,
}

fn path_of(uri: &lsp::Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

impl Server {
    /// The analysis of a document's rule set and the document's file id.
    fn analysis_for(&mut self, uri: &lsp::Url) -> Option<(&Analysis, FileId)> {
        let path = path_of(uri)?;
        let set = self.workspace.set_of(&path);
        let a = self.workspace.analysis(&set);
        let id = a.file_id(&path)?;
        Some((a, id))
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            lsp::request::HoverRequest::METHOD => self.params(req).map(|p: lsp::HoverParams| {
                let at = p.text_document_position_params;
                json(
                    self.analysis_for(&at.text_document.uri)
                        .and_then(|(a, f)| features::hover(a, f, at.position)),
                )
            }),
            lsp::request::GotoDefinition::METHOD => {
                self.params(req).map(|p: lsp::GotoDefinitionParams| {
                    let at = p.text_document_position_params;
                    json(
                        self.analysis_for(&at.text_document.uri)
                            .and_then(|(a, f)| features::definition(a, f, at.position))
                            .map(lsp::GotoDefinitionResponse::Scalar),
                    )
                })
            }
            lsp::request::References::METHOD => self.params(req).map(|p: lsp::ReferenceParams| {
                let at = p.text_document_position;
                json(self.analysis_for(&at.text_document.uri).map(|(a, f)| {
                    features::references(a, f, at.position, p.context.include_declaration)
                }))
            }),
            lsp::request::Rename::METHOD => match self.params::<lsp::RenameParams>(req) {
                Ok(p) => {
                    let at = p.text_document_position;
                    match self.analysis_for(&at.text_document.uri) {
                        Some((a, f)) => match features::rename(a, f, at.position, &p.new_name) {
                            Ok(edit) => Ok(json(Some(edit))),
                            Err(why) => {
                                return Response::new_err(id, ErrorCode::InvalidParams as i32, why)
                            }
                        },
                        None => Ok(serde_json::Value::Null),
                    }
                }
                Err(e) => Err(e),
            },
            lsp::request::Completion::METHOD => self.params(req).map(|p: lsp::CompletionParams| {
                let at = p.text_document_position;
                json(self.analysis_for(&at.text_document.uri).map(|(a, f)| {
                    lsp::CompletionResponse::Array(features::completion(a, f, at.position))
                }))
            }),
            lsp::request::DocumentSymbolRequest::METHOD => {
                self.params(req).map(|p: lsp::DocumentSymbolParams| {
                    json(
                        self.analysis_for(&p.text_document.uri).map(|(a, f)| {
                            lsp::DocumentSymbolResponse::Nested(features::symbols(a, f))
                        }),
                    )
                })
            }
            lsp::request::Formatting::METHOD => {
                self.params(req).map(|p: lsp::DocumentFormattingParams| {
                    let text = path_of(&p.text_document.uri)
                        .and_then(|path| self.workspace.text(&path).map(str::to_string));
                    json(text.map(|t| features::formatting(&t)))
                })
            }
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("sanc does not handle `{}`", req.method),
                )
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(why) => Response::new_err(id, ErrorCode::InvalidParams as i32, why),
        }
    }

    fn params<P: serde::de::DeserializeOwned>(&self, req: Request) -> Result<P, String> {
        serde_json::from_value(req.params)
            .map_err(|e| format!("bad parameters for `{}`: {e}", req.method))
    }

    /// Handle a notification; returns the files it changed.
    fn notification(&mut self, n: Notification) -> Vec<PathBuf> {
        match n.method.as_str() {
            lsp::notification::DidOpenTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        self.workspace.set_text(&path, p.text_document.text);
                        Some(path)
                    })
                    .into_iter()
                    .collect()
            }
            lsp::notification::DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        let mut text = self.workspace.take_text(&path);
                        for change in p.content_changes {
                            apply_change(&mut text, change);
                        }
                        self.workspace.set_text(&path, text);
                        Some(path)
                    })
                    .into_iter()
                    .collect()
            }
            lsp::notification::DidCloseTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        self.workspace.close(&path);
                        Some(path)
                    })
                    .into_iter()
                    .collect()
            }
            lsp::notification::DidChangeWatchedFiles::METHOD => {
                serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                    .map(|p| {
                        let paths: Vec<PathBuf> = p
                            .changes
                            .into_iter()
                            .filter_map(|c| path_of(&c.uri))
                            .collect();
                        let project_changed = paths.iter().any(|p| {
                            p.file_name()
                                .is_some_and(|n| n == crate::project::FILE_NAME)
                        });
                        let mut changed: Vec<PathBuf> = paths
                            .into_iter()
                            .filter(|path| self.workspace.reload(path))
                            .collect();
                        if project_changed {
                            // Rule sets may have changed shape: check them all.
                            changed.extend(self.workspace.reload_projects());
                        }
                        changed
                    })
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// Run the tests (`*.sanc-test`) of the rule set `path` belongs to, as
    /// `sanc test` does, and publish each failing test and each problem as
    /// a diagnostic on its test file (an empty list clears a file that now
    /// passes). Tests read the files as saved on disk.
    fn run_tests(&mut self, path: &Path) -> Vec<Notification> {
        let set = self.workspace.set_of(path);
        let root = if set.is_dir() {
            set
        } else {
            set.parent().map(Path::to_path_buf).unwrap_or(set)
        };
        let files = crate::testing::test_files(&root).unwrap_or_default();
        if files.is_empty() && self.test_published.is_empty() {
            return Vec::new();
        }
        let today = chrono::Local::now().date_naive();
        let run = if files.is_empty() {
            crate::testing::Run::default()
        } else {
            crate::testing::run_paths(std::slice::from_ref(&root), today)
        };
        let mut per_file: std::collections::BTreeMap<PathBuf, Vec<lsp::Diagnostic>> =
            files.iter().map(|f| (f.clone(), Vec::new())).collect();
        let mut add = |loc: &crate::testing::Loc, message: String| {
            let at = lsp::Position::new(
                loc.line.saturating_sub(1) as u32,
                loc.column.saturating_sub(1) as u32,
            );
            let d = lsp::Diagnostic {
                range: lsp::Range::new(at, lsp::Position::new(at.line, at.character + 1)),
                severity: Some(lsp::DiagnosticSeverity::ERROR),
                code: Some(lsp::NumberOrString::String("sanc::test".into())),
                source: Some("sanc test".into()),
                message,
                ..lsp::Diagnostic::default()
            };
            per_file
                .entry(PathBuf::from(&loc.file))
                .or_default()
                .push(d);
        };
        for t in &run.tests {
            if t.status == crate::testing::Status::Pass {
                continue;
            }
            let mut lines: Vec<String> = t.differences.iter().map(|d| d.line()).collect();
            lines.extend(t.problems.iter().map(|p| p.to_string()));
            add(
                &t.loc,
                format!("test `{}` fails\n{}", t.name, lines.join("\n")),
            );
        }
        for p in &run.problems {
            add(&p.loc, p.to_string());
        }
        let mut out = Vec::new();
        let now: HashSet<PathBuf> = per_file.keys().cloned().collect();
        for (file, diagnostics) in per_file {
            if let Some(uri) = convert::uri(&file) {
                out.push(publish_notification(uri, diagnostics));
            }
        }
        for gone in self.test_published.difference(&now) {
            if let Some(uri) = convert::uri(gone) {
                out.push(publish_notification(uri, Vec::new()));
            }
        }
        self.test_published = now;
        out
    }

    /// Check every changed rule set and publish its diagnostics.
    fn flush(&mut self, connection: &Connection) -> Result<(), String> {
        for set in std::mem::take(&mut self.dirty) {
            let out = catch_unwind(AssertUnwindSafe(|| self.publish(&set))).unwrap_or_default();
            for n in out {
                send(connection, Message::Notification(n))?;
            }
        }
        Ok(())
    }

    /// Re-check a rule set and publish diagnostics for each of its files
    /// (an empty list clears a file's old ones).
    fn publish(&mut self, set: &Path) -> Vec<Notification> {
        let a = self.workspace.recheck(set);
        let mut out = Vec::new();
        let mut now = HashSet::new();
        for (i, p) in a.paths.iter().enumerate() {
            let id = FileId(i as u32);
            let diagnostics: Vec<lsp::Diagnostic> = a
                .checked
                .diagnostics
                .iter()
                .filter(|d| d.primary_span().is_some_and(|s| s.file == id))
                .filter_map(|d| convert::diagnostic(d, &a.sources))
                .collect();
            let Some(uri) = convert::uri(p) else { continue };
            now.insert(p.clone());
            out.push(publish_notification(uri, diagnostics));
        }
        // Files that left this rule set (closed, deleted) lose their diagnostics.
        let gone: Vec<PathBuf> = self
            .published
            .iter()
            .filter(|p| self.workspace.set_of(p) == set && !now.contains(*p))
            .cloned()
            .collect();
        for p in gone {
            if let Some(uri) = convert::uri(&p) {
                out.push(publish_notification(uri, Vec::new()));
            }
            self.published.remove(&p);
        }
        self.published.extend(now);
        out
    }
}

fn publish_notification(uri: lsp::Url, diagnostics: Vec<lsp::Diagnostic>) -> Notification {
    Notification::new(
        lsp::notification::PublishDiagnostics::METHOD.to_string(),
        lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    )
}

fn json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Apply one change (a range edit, or the whole text) to a document, in
/// place: only the lines up to the edit are read.
fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let start = offset_in(text, range.start);
    let end = offset_in(text, range.end).max(start);
    text.replace_range(start..end, &change.text);
}

/// The byte offset of an LSP position (UTF-16 column) in a text, clamped
/// to its line, as [`crate::source::SourceFile::offset_of_utf16`] gives it.
fn offset_in(text: &str, pos: lsp::Position) -> usize {
    let bytes = text.as_bytes();
    let mut start = 0;
    for _ in 0..pos.line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0u32;
    for (i, ch) in text[start..].char_indices() {
        if units >= pos.character || ch == '\n' {
            return start + i;
        }
        units += ch.len_utf16() as u32;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets of positions are the ones the source map gives, on every
    /// line and column (past the line's end too) of texts with multi-byte
    /// characters, surrogate pairs, CRLF and a missing or final line end.
    #[test]
    fn offsets_in_a_text_are_the_source_maps() {
        for text in [
            "",
            "a",
            "a\n",
            "\n\n",
            "ban 한국 to PRK\r\n# 🚢 x\ncap",
            "é😀\nz\n",
        ] {
            let file = crate::source::SourceFile::new("", None, text.to_string());
            for line in 0..5 {
                for character in 0..20 {
                    let pos = lsp::Position { line, character };
                    assert_eq!(
                        offset_in(text, pos),
                        convert::offset(&file, pos),
                        "{text:?} {line}:{character}"
                    );
                }
            }
        }
    }
}
