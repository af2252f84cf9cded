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
pub mod workspace;

pub use workspace::{Analysis, Workspace};

use crate::source::FileId;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Run the server on standard input and output until the client exits.
///
/// Our own framing, not lsp-server's stdio threads: those panic on some
/// failures (a huge `Content-Length`, a closed standard output) where we
/// want an error message and an exit code.
pub fn run_stdio() -> Result<(), String> {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    let reader = std::thread::Builder::new()
        .name("sanc-lsp-reader".into())
        .spawn(move || -> Result<(), String> {
            let mut stdin = std::io::stdin().lock();
            loop {
                match read_message(&mut stdin) {
                    Ok(Some(msg)) => {
                        let exit = matches!(&msg, Message::Notification(n) if n.method == lsp::notification::Exit::METHOD);
                        if to_server.send(msg).is_err() || exit {
                            return Ok(());
                        }
                    }
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(format!("bad message on standard input: {e}")),
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
    let served = serve(&server);
    // The writer ends once the server's sender is gone.
    drop(server);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err("the writer thread failed".into()));
    // A failed write explains a failed send, so it goes first.
    written?;
    served?;
    // The reader may still wait on standard input; it only matters if it
    // ended, with a message that could not be read.
    if reader.is_finished() {
        reader
            .join()
            .unwrap_or_else(|_| Err("the reader thread failed".into()))?;
    }
    Ok(())
}

/// The largest message read (a rule file of tens of megabytes fits); a
/// larger `Content-Length` is refused rather than allocated.
const MAX_MESSAGE: usize = 64 << 20;

/// Read one `Content-Length`-framed LSP message; `None` at the end of the
/// input, before any header.
pub fn read_message(r: &mut impl std::io::BufRead) -> std::io::Result<Option<Message>> {
    use std::io::{BufRead, Error, ErrorKind, Read};
    let bad = |why: String| Error::new(ErrorKind::InvalidData, why);
    let mut size = None;
    let mut first = true;
    loop {
        let mut line = String::new();
        // Header lines are short; a long one is not a header.
        if r.by_ref().take(1024).read_line(&mut line)? == 0 {
            return if first {
                Ok(None)
            } else {
                Err(ErrorKind::UnexpectedEof.into())
            };
        }
        first = false;
        let Some(line) = line.strip_suffix("\r\n") else {
            return Err(bad(format!("malformed header {line:?}")));
        };
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(": ") else {
            return Err(bad(format!("malformed header {line:?}")));
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            let n: usize = value
                .parse()
                .map_err(|_| bad(format!("bad Content-Length {value:?}")))?;
            if n > MAX_MESSAGE {
                return Err(bad(format!(
                    "a message of {n} bytes is more than the {MAX_MESSAGE} bytes allowed"
                )));
            }
            size = Some(n);
        }
    }
    let size = size.ok_or_else(|| bad("a message without Content-Length".into()))?;
    let mut body = vec![0; size];
    r.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| bad(format!("a message that is not JSON-RPC: {e}")))
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

/// Serve one client on a connection (standard I/O, or in memory in tests).
pub fn serve(connection: &Connection) -> Result<(), String> {
    serve_with(connection, true)
}

/// Run the server over in-memory bytes: every LSP message in `input`
/// (`Content-Length` framed, as on standard input) is handled in turn and
/// the replies are written to `output`. The disk is never read: workspace
/// folders are ignored and closing a file forgets it. Input that is not a
/// well-framed message ends the session, as it would on standard input.
/// For fuzzing and tests.
pub fn serve_bytes(input: &[u8], output: &mut impl std::io::Write) -> Result<(), String> {
    let (server, client) = Connection::memory();
    let mut reader = input;
    // The channels are unbounded: queue the whole session first.
    let mut framing = Ok(());
    loop {
        match read_message(&mut reader) {
            Ok(Some(msg)) => {
                if client.sender.send(msg).is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                framing = Err(format!("bad message: {e}"));
                break;
            }
        }
    }
    drop(client.sender);
    let served = serve_with(&server, false);
    drop(server);
    for msg in client.receiver.try_iter() {
        msg.write(&mut *output).map_err(|e| e.to_string())?;
    }
    served.and(framing)
}

/// The initialize handshake, then every message until the client shuts
/// down or goes away. Replies that cannot be sent (the client is gone, or
/// standard output failed) end the session with an error, never a panic.
fn serve_with(connection: &Connection, disk: bool) -> Result<(), String> {
    let Some(params) = initialize(connection)? else {
        return Ok(());
    };
    let roots = if disk { roots(&params) } else { Vec::new() };
    let mut workspace = Workspace::new(roots);
    workspace.read_disk = disk;
    let mut server = Server {
        workspace,
        published: HashSet::new(),
    };
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let id = req.id.clone();
                let response = catch_unwind(AssertUnwindSafe(|| server.request(req)))
                    .unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "sanc failed on this request".into(),
                        )
                    });
                send(connection, Message::Response(response))?;
            }
            Message::Notification(n) => {
                let out =
                    catch_unwind(AssertUnwindSafe(|| server.notification(n))).unwrap_or_default();
                for n in out {
                    send(connection, Message::Notification(n))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Wait for `initialize` and answer it (lsp-server's own handshake panics
/// when a reply cannot be sent); `initialized` is then an ordinary
/// notification. `None`: the client exited or went away first.
fn initialize(connection: &Connection) -> Result<Option<lsp::InitializeParams>, String> {
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

    /// Handle a notification; returns the notifications to send back.
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let changed: Option<PathBuf> = match n.method.as_str() {
            lsp::notification::DidOpenTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        self.workspace.set_text(&path, p.text_document.text);
                        Some(path)
                    })
            }
            lsp::notification::DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        let mut text = self.workspace.text(&path).unwrap_or_default().to_string();
                        for change in p.content_changes {
                            apply_change(&mut text, change);
                        }
                        self.workspace.set_text(&path, text);
                        Some(path)
                    })
            }
            lsp::notification::DidCloseTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = path_of(&p.text_document.uri)?;
                        self.workspace.close(&path);
                        Some(path)
                    })
            }
            lsp::notification::DidChangeWatchedFiles::METHOD => {
                serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let mut last = None;
                        for c in p.changes {
                            if let Some(path) = path_of(&c.uri) {
                                self.workspace.reload(&path);
                                last = Some(path);
                            }
                        }
                        last
                    })
            }
            _ => None,
        };
        match changed {
            Some(path) => self.publish(&path),
            None => Vec::new(),
        }
    }

    /// Re-check the rule set of `path` and publish diagnostics for each of
    /// its files (an empty list clears a file's old ones).
    fn publish(&mut self, path: &Path) -> Vec<Notification> {
        let set = self.workspace.set_of(path);
        let a = self.workspace.recheck(&set);
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

/// Apply one change (a range edit, or the whole text) to a document.
fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let file = crate::source::SourceFile::new("", None, std::mem::take(text));
    let start = convert::offset(&file, range.start);
    let end = convert::offset(&file, range.end).max(start);
    let mut s = file.text.as_str().to_string();
    s.replace_range(start..end, &change.text);
    *text = s;
}
