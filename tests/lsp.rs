//! `sanc lsp` as an editor sees it: a real process spoken to in JSON-RPC
//! over standard input and output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for a response.
    notifications: Vec<Value>,
}

impl Client {
    fn start(root: &std::path::Path) -> Client {
        Client::start_with(root, json!({}))
    }

    fn start_with(root: &std::path::Path, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sanc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx
                    .send(serde_json::from_slice(&body).unwrap_or(Value::Null))
                    .is_err()
                {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming: rx,
            next_id: 1,
            notifications: Vec::new(),
        };
        let uri = uri(root);
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "capabilities": capabilities}),
        );
        assert!(init["capabilities"]["hoverProvider"]
            .as_bool()
            .unwrap_or(false));
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_string(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Bytes as they are, framed or not.
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message with this id (keeping the others seen meanwhile).
    fn response(&mut self, id: &Value) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|m| &m["id"] == id && m.get("method").is_none())
        {
            return self.notifications.remove(i);
        }
        loop {
            let msg = self.recv();
            if &msg["id"] == id && msg.get("method").is_none() {
                return msg;
            }
            self.notifications.push(msg);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        self.incoming
            .recv_timeout(Duration::from_secs(20))
            .expect("the server did not answer within 20 s")
    }

    /// Send a request and wait for its response (keeping notifications).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg["id"] == json!(id) {
                assert!(
                    msg.get("error").is_none() || method == "textDocument/rename",
                    "{method} failed: {msg}"
                );
                return if msg.get("error").is_some() {
                    msg
                } else {
                    msg["result"].clone()
                };
            }
            self.notifications.push(msg);
        }
    }

    /// The diagnostics last published for `uri`. The server handles
    /// messages in order, so once it has answered a request sent after a
    /// change, that change's diagnostics have been published.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        let last = self
            .notifications
            .iter()
            .rev()
            .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
            .cloned()
            .expect("no diagnostics were published");
        self.notifications.clear();
        last["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit code {status:?}");
    }
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

fn pos(line: usize, character: usize) -> Value {
    json!({"line": line, "character": character})
}

/// UTF-16 length of a string (LSP columns).
fn u16len(s: &str) -> usize {
    s.encode_utf16().count()
}

const DECLS: &str = "## The Democratic People's Republic of Korea.\nparty DPRK = PRK \"Democratic People's Republic of Korea\"\ncommodity arms = hs 93\n";

#[test]
fn diagnostics_hover_definition_completion_and_more() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("decl.sanc"), DECLS).unwrap();
    // Two mistakes; non-ASCII text (a two-unit UTF-16 character) before the
    // second on its line.
    let line0 = "ban arms from DPRK cite \"UNSCR 1718 (2006) OP 8(b)\"";
    let line1 =
        "exemption humanitarian \"Corée 𝄞 — 북한\" ban arms to DRPK except exemption humanitarain";
    let text = format!("{line0}\n{line1}\n");
    let rules = root.join("rules.sanc");
    std::fs::write(&rules, &text).unwrap();
    let ruri = uri(&rules);

    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&ruri);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    let drpk = line1.find("DRPK").unwrap();
    let typo = line1.find("humanitarain").unwrap();
    let by_code = |code: &str| diags.iter().find(|d| d["code"] == code).cloned().unwrap();
    let party = by_code("sanc::check::unknown_party");
    assert_eq!(party["range"]["start"], pos(1, u16len(&line1[..drpk])));
    assert_eq!(party["range"]["end"], pos(1, u16len(&line1[..drpk]) + 4));
    assert_eq!(party["severity"], 1);
    assert!(party["message"]
        .as_str()
        .unwrap()
        .contains("unknown party `DRPK`"));
    let exemption = by_code("sanc::check::unknown_exemption");
    assert_eq!(exemption["range"]["start"], pos(1, u16len(&line1[..typo])));
    // The byte column would be wrong: 𝄞 is 4 bytes but 2 UTF-16 units.
    assert_ne!(u16len(&line1[..drpk]), drpk);

    // Fix one mistake (incremental change): one diagnostic left.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 2}, "contentChanges": [
            {"range": {"start": pos(1, u16len(&line1[..drpk])), "end": pos(1, u16len(&line1[..drpk]) + 4)}, "text": "DPRK"}
        ]}),
    );
    let diags = c.diagnostics(&ruri);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "sanc::check::unknown_exemption");

    // Hover: an alias shows its country, a commodity its HS codes, a rule its citation.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 15)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("alias of `PRK`") && shown.contains("Democratic People's Republic of Korea"),
        "{shown}"
    );
    assert!(
        shown.contains("The Democratic People's Republic of Korea."),
        "doc comment: {shown}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 5)}),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("HS 93"));
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 1)}),
    );
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("UNSCR 1718 (2006) OP 8(b)"));

    // Go to definition: into the other file of the rule set.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 5)}),
    );
    assert_eq!(def["uri"], uri(&root.join("decl.sanc")));
    assert_eq!(def["range"]["start"], pos(2, 10));

    // References to DPRK: its declaration and two uses.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 15), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 3, "{refs}");

    // Rename DPRK everywhere; a keyword is refused.
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 15), "newName": "north_korea"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[&ruri].as_array().unwrap().len(), 2);
    let refused = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 15), "newName": "from"}),
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("keyword"));

    // Completion after `to `: declared parties and ISO codes.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 3}, "contentChanges": [{"text": format!("{line0}\nban arms to ")}]}),
    );
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": ruri}, "position": pos(1, 12)}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"DPRK") && labels.contains(&"PRK") && labels.contains(&"any"),
        "{labels:?}"
    );
    assert!(!labels.contains(&"arms"), "commodities are not parties");
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": ruri}, "position": pos(1, 4)}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"arms"), "{labels:?}");

    // A duplicate of a declaration in the other file shows with both places.
    let dup = format!("{line0}\ncommodity arms = hs 93\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 4}, "contentChanges": [{"text": dup}]}),
    );
    let diags = c.diagnostics(&ruri);
    let d = diags
        .iter()
        .find(|d| d["code"] == "sanc::check::duplicate_declaration")
        .expect("duplicate");
    assert_eq!(
        d["relatedInformation"][0]["location"]["uri"],
        uri(&root.join("decl.sanc"))
    );

    // Symbols and formatting.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 5}, "contentChanges": [{"text": "ban   arms to DPRK\n"}]}),
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": ruri}}),
    );
    assert_eq!(symbols[0]["name"], "ban-arms-to-PRK");
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": ruri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], "ban arms to DPRK\n");

    c.shutdown();
}

/// Lists: hover shows the file, entry count and date range; `on ` completes
/// list names, `with ` roles; an unknown list or role gets "did you mean".
#[test]
fn lists_hover_complete_and_suggest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("vessels.csv"),
        "name,imo,listed_on,delisted_on,reference\nCHON MA SAN,8660313,2018-03-30,,V1\nYU JONG 2,8604917,2017-12-22,2020-01-01,V2\n",
    )
    .unwrap();
    let line0 = "list un_vessels \"UN vessels\" = csv \"vessels.csv\"";
    let line1 = "ban port calls with vessel on un_vessels";
    let text = format!("{line0}\n{line1}\n");
    let rules = root.join("rules.sanc");
    std::fs::write(&rules, &text).unwrap();
    let ruri = uri(&rules);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    assert_eq!(c.diagnostics(&ruri), Vec::<Value>::new());
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ruri}, "position": pos(1, line1.find("un_vessels").unwrap() + 2)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("`vessels.csv`"), "{shown}");
    assert!(shown.contains("2 entries"), "{shown}");
    assert!(shown.contains("listed 2017-12-22 … 2020-01-01"), "{shown}");

    // Completion: list names after `on `, roles after `with `.
    let labels = |c: &mut Client, version: i64, line: &str| -> Vec<String> {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": ruri, "version": version}, "contentChanges": [{"text": format!("{line0}\n{line}")}]}),
        );
        let items = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": ruri}, "position": pos(1, line.len())}),
        );
        items
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["label"].as_str().map(String::from))
            .collect()
    };
    let on = labels(&mut c, 2, "ban any with owner on ");
    assert!(on.contains(&"un_vessels".to_string()), "{on:?}");
    let with = labels(&mut c, 3, "ban any with ");
    for role in ["owner", "operator", "charterer", "vessel", "any"] {
        assert!(with.contains(&role.to_string()), "{role}: {with:?}");
    }

    // Unknown list and role: errors with a suggestion.
    let typos = format!("{line0}\nban any with ownr on un_vessel\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 4}, "contentChanges": [{"text": typos}]}),
    );
    let diags = c.diagnostics(&ruri);
    let said: Vec<(String, String)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        said.iter().any(|(c, _)| c == "sanc::check::unknown_role"),
        "{said:?}"
    );
    assert!(
        said.iter().any(|(c, _)| c == "sanc::check::unknown_list"),
        "{said:?}"
    );
}

#[test]
fn half_typed_buffers_never_crash_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let real = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/us/russia_oil.sanc"
    ))
    .unwrap();
    let path = root.join("typing.sanc");
    std::fs::write(&path, "").unwrap();
    let u = uri(&path);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "sanc", "version": 0, "text": ""}}),
    );
    // Every prefix of a real rule file, as if typed character by character.
    let mut version = 0;
    let cuts: Vec<usize> = real
        .char_indices()
        .map(|(i, _)| i)
        .chain([real.len()])
        .collect();
    for (n, &cut) in cuts.iter().enumerate() {
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": &real[..cut]}]}),
        );
        // Every 7th prefix, ask something too: the server must answer.
        if n % 7 == 0 {
            let r = c.request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": u}}),
            );
            assert!(r.is_array(), "after {cut} bytes: {r}");
            let line = real[..cut].lines().count().saturating_sub(1);
            c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": u}, "position": pos(line, 3)}),
            );
            c.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": u}, "position": pos(line, 0)}),
            );
        }
    }
    // Garbage, and positions far outside the buffer.
    for junk in [
        "\u{0}\u{FFFF}\"\\",
        "[[[[[[",
        "ban ban ban",
        "𝄞𝄞𝄞\n\n\r\n#",
        "cap price x 1e9 USD per per",
    ] {
        version += 1;
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": junk}]}));
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": pos(999, 999)}),
        );
        c.request(
            "textDocument/definition",
            json!({"textDocument": {"uri": u}, "position": pos(0, 2)}),
        );
        c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": u}, "options": {"tabSize": 4, "insertSpaces": true}}),
        );
    }
    // The final, complete file checks clean (apart from names declared elsewhere).
    assert!(cuts.len() > 3000);
    c.shutdown();
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// A small deterministic random number generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One frame (or piece of one) that is not a valid message.
fn bad_frame(rng: &mut Rng) -> Vec<u8> {
    let request = r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#;
    match rng.below(12) {
        0 => frame("{not json"),
        1 => frame("[{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}]"),
        2 => frame("42"),
        3 => frame(r#"{"jsonrpc":"2.0","id":true,"method":"x"}"#),
        4 => b"Content-Type: application/json\r\n\r\n{}".to_vec(),
        5 => b"Content-Length: -3\r\n\r\n".to_vec(),
        6 => b"Content-Length: 99999999999999999999\r\n\r\n".to_vec(),
        7 => {
            // Cut short: a frame that promises more than it gives.
            let cut = rng.below(request.len());
            let mut f = format!("Content-Length: {}\r\n\r\n", request.len()).into_bytes();
            f.extend_from_slice(&request.as_bytes()[..cut]);
            f
        }
        8 => {
            // A header cut short, no body.
            let h = b"Content-Length: 12\r\n";
            h[..rng.below(h.len())].to_vec()
        }
        9 => (0..rng.below(3000))
            .map(|_| (rng.next() & 0xff) as u8)
            .collect(),
        10 => frame(r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":7}"#),
        _ => frame(r#"{"jsonrpc":"2.0","method":"$/unknown","params":{}}"#),
    }
}

#[test]
fn malformed_frames_are_answered_or_skipped_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("a.sanc");
    std::fs::write(&path, DECLS).unwrap();
    let u = uri(&path);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "sanc", "version": 1, "text": DECLS}}),
    );
    // A message with an id but no valid method, and bad parameters: both
    // are answered with an error under their id.
    c.send_raw(&frame(r#"{"jsonrpc":"2.0","id":"bad-1","method":7}"#));
    let r = c.response(&json!("bad-1"));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.send_raw(&frame(
        r#"{"jsonrpc":"2.0","id":"bad-2","method":"textDocument/hover","params":5}"#,
    ));
    let r = c.response(&json!("bad-2"));
    assert_eq!(r["error"]["code"], -32602, "{r}");

    // Random, truncated and malformed frames between valid requests, all
    // sent at once; every valid request is answered.
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut input = Vec::new();
    let mut ids = Vec::new();
    for i in 0..300 {
        input.extend(bad_frame(&mut rng));
        let id = format!("ok-{i}");
        let method = if i % 2 == 0 {
            json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": u}}})
        } else {
            json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {"textDocument": {"uri": u}, "position": pos(2, 12)}})
        };
        input.extend(frame(&method.to_string()));
        ids.push(id);
    }
    // Enough complete frames at the end for any frame cut short to finish.
    for i in 0..10 {
        let id = format!("end-{i}");
        input.extend(frame(
            &json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": u}}}).to_string(),
        ));
        ids.push(id);
    }
    c.send_raw(&input);
    let mut answered = 0;
    for id in &ids {
        if id.starts_with("end-") {
            let r = c.response(&json!(id));
            assert!(r["result"].is_array(), "{id}: {r}");
        }
    }
    for m in &c.notifications {
        if m["id"].as_str().is_some_and(|i| i.starts_with("ok-")) {
            assert!(m.get("error").is_none(), "{m}");
            answered += 1;
        }
    }
    // Even after a frame cut short (whose `Content-Length` reaches into
    // the next frame), the server finds the next header again.
    assert_eq!(answered, 300);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(symbols.as_array().unwrap().len(), 2);
    c.shutdown();
}

#[test]
fn shutdown_and_exit_follow_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start(&root);
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    // After shutdown: requests get an error, the server stays up.
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {}}));
    let r = c.response(&json!(99));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));

    // Exit without shutdown: exit code 1.
    let mut c = Client::start(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(1));
}

/// Take notifications until one publishes diagnostics for `uri`.
fn next_publication(c: &mut Client, uri: &str) -> Value {
    if let Some(i) = c
        .notifications
        .iter()
        .position(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
    {
        return c.notifications.remove(i);
    }
    loop {
        let m = c.recv();
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
            return m;
        }
        c.notifications.push(m);
    }
}

fn codes(published: &Value) -> Vec<String> {
    published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn files_changed_on_disk_are_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let decl = root.join("decl.sanc");
    std::fs::write(&decl, DECLS).unwrap();
    let rules = root.join("rules.sanc");
    let text = "ban arms to DPRK\n";
    std::fs::write(&rules, text).unwrap();
    let ruri = uri(&rules);
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let mut c = Client::start_with(&root, caps);
    // The server asks the client to watch `.sanc` files.
    let register = loop {
        let m = c.recv();
        if m["method"] == "client/registerCapability" {
            break m;
        }
        c.notifications.push(m);
    };
    let reg = &register["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        reg["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.sanc"
    );
    c.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    assert!(c.diagnostics(&ruri).is_empty());

    // Changed on disk: DPRK is gone.
    std::fs::write(&decl, DECLS.replace("party DPRK", "party NK")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&decl), "type": 2}]}),
    );
    let p = next_publication(&mut c, &ruri);
    assert_eq!(codes(&p), ["sanc::check::unknown_party"]);

    // Created: a new file declares it again.
    let extra = root.join("extra.sanc");
    std::fs::write(&extra, "party DPRK = PRK\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra), "type": 1}]}),
    );
    let p = next_publication(&mut c, &ruri);
    assert!(codes(&p).is_empty(), "{p}");

    // Deleted: unknown again, and the deleted file's diagnostics cleared.
    std::fs::remove_file(&extra).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra), "type": 3}]}),
    );
    let p = next_publication(&mut c, &ruri);
    assert_eq!(codes(&p), ["sanc::check::unknown_party"]);
    c.shutdown();
}

#[test]
fn rename_covers_duplicate_declarations_and_refuses_around_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let a = root.join("a.sanc");
    let b = root.join("b.sanc");
    std::fs::write(&a, "commodity arms = hs 93\nban arms to PRK\n").unwrap();
    std::fs::write(&b, "commodity arms = hs 93\ncap arms to PRK 5 t per year\n").unwrap();
    let mut c = Client::start(&root);
    let auri = uri(&a);
    let buri = uri(&b);
    let text = std::fs::read_to_string(&a).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": auri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    // From the second declaration, and from a use.
    for (u, at) in [(&buri, pos(0, 11)), (&auri, pos(1, 5))] {
        let edit = c.request(
            "textDocument/rename",
            json!({"textDocument": {"uri": u}, "position": at, "newName": "weapons"}),
        );
        let changes = edit["changes"].as_object().unwrap();
        let starts = |u: &str| {
            let mut v: Vec<Value> = changes[u]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["range"]["start"].clone())
                .collect();
            v.sort_by_key(|p| p["line"].as_u64());
            v
        };
        assert_eq!(starts(&auri), [pos(0, 10), pos(1, 4)], "{edit}");
        assert_eq!(starts(&buri), [pos(0, 10), pos(1, 4)], "{edit}");
    }
    // A statement that does not parse might use the name: refused.
    let broken = format!("{text}ban arms to PRK cite\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": auri, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let refused = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": buri}, "position": pos(0, 11), "newName": "weapons"}),
    );
    let why = refused["error"]["message"].as_str().unwrap();
    assert!(
        why.contains("a.sanc") && why.contains("does not parse"),
        "{why}"
    );
    c.shutdown();
}

#[test]
fn no_completion_inside_strings_or_comments() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("a.sanc");
    let text = format!(
        "{DECLS}ban arms to DPRK cite \"UNSCR to \n# ban arms to \nexemption x \"a \\\" to \" ban arms to \n"
    );
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "sanc", "version": 1, "text": text}}),
    );
    let labels = |c: &mut Client, at: Value| -> Vec<String> {
        let r = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": at}),
        );
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // After `to ` inside a citation, and in a comment: nothing.
    assert!(labels(&mut c, pos(3, 31)).is_empty());
    assert!(labels(&mut c, pos(4, 14)).is_empty());
    // Inside a string with an escaped quote: nothing; after it: parties.
    assert!(labels(&mut c, pos(5, 19)).is_empty());
    let after = labels(&mut c, pos(5, 35));
    assert!(after.contains(&"DPRK".to_string()), "{after:?}");
    c.shutdown();
}

#[test]
fn a_burst_of_changes_is_checked_once_on_the_final_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("decl.sanc"), DECLS).unwrap();
    // A large file (about 10,000 lines).
    let mut big = String::new();
    for i in 0..40 {
        big += &format!("commodity goods_{i} = hs {:02}\n", 10 + i);
        for j in 0..120 {
            big += &format!("r_{i}_{j}:\nban goods_{i} to DPRK cite \"Resolution {i}/{j}\"\n");
        }
    }
    let path = root.join("rules.sanc");
    let first = "ban arms to \n";
    let text = format!("{first}{big}");
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "sanc", "version": 1, "text": text}}),
    );
    c.diagnostics(&u);
    // Fifty one-character edits, as fast as the pipe takes them.
    let typed = format!("DRPK cite \"{}\"", "x".repeat(38));
    assert_eq!(typed.chars().count(), 50);
    let mut burst = Vec::new();
    for (i, ch) in typed.chars().enumerate() {
        let at = pos(0, 12 + i);
        burst.extend(frame(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": u, "version": 2 + i},
                "contentChanges": [{"range": {"start": at, "end": at}, "text": ch.to_string()}]}})
            .to_string(),
        ));
    }
    c.send_raw(&burst);
    let p = next_publication(&mut c, &u);
    assert_eq!(codes(&p), ["sanc::check::unknown_party"], "{p}");
    let message = p["params"]["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("`DRPK`"), "{message}");
    // Nothing more comes: one check for the whole burst.
    std::thread::sleep(Duration::from_millis(500));
    while let Ok(m) = c.incoming.try_recv() {
        c.notifications.push(m);
    }
    let more = c
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == u)
        .count();
    assert_eq!(more, 0, "published again after the burst");
    c.shutdown();
}

#[test]
fn the_project_file_decides_the_rule_set() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().canonicalize().unwrap();
    // The workspace folder holds a project (`lib/`) and, beside it, test
    // fixtures that redeclare its names and have errors of their own.
    std::fs::create_dir_all(ws.join("lib/un")).unwrap();
    std::fs::create_dir_all(ws.join("fixtures")).unwrap();
    std::fs::write(ws.join("lib/sanc.toml"), "paths = [\".\"]\n").unwrap();
    std::fs::write(ws.join("lib/decl.sanc"), DECLS).unwrap();
    let rules = ws.join("lib/un/rules.sanc");
    let text = "ban arms to DPRK\n";
    std::fs::write(&rules, text).unwrap();
    std::fs::write(
        ws.join("fixtures/dup.sanc"),
        "commodity arms = hs 93\nban arms to DPRK\nban nothing to PRK\n",
    )
    .unwrap();
    let ruri = uri(&rules);
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let mut c = Client::start_with(&ws, caps);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    // No duplicate of `arms`: the fixture is not part of the project.
    assert!(c.diagnostics(&ruri).is_empty());
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 5)}),
    );
    assert_eq!(def["uri"], uri(&ws.join("lib/decl.sanc")));
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": ruri}, "position": pos(0, 5), "newName": "weapons"}),
    );
    let files: Vec<&String> = edit["changes"].as_object().unwrap().keys().collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.contains("/lib/")), "{files:?}");

    // A malformed project file gets a located diagnostic, on it.
    let toml = ws.join("lib/sanc.toml");
    std::fs::write(&toml, "paths = [\".\"]\npath = 3\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&toml), "type": 2}]}),
    );
    let p = next_publication(&mut c, &uri(&toml));
    assert_eq!(codes(&p), ["sanc::project"], "{p}");
    assert_eq!(p["params"]["diagnostics"][0]["range"]["start"], pos(1, 0));
    c.shutdown();
}

#[test]
fn saving_runs_the_rule_sets_tests_and_publishes_failures_on_the_test_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let rules = root.join("rules.sanc");
    let text = "commodity arms = hs 93\nban arms from PRK\n";
    std::fs::write(&rules, text).unwrap();
    let test_file = root.join("rules.sanc-test");
    // The ban fires on a1; the test wrongly expects nothing for it.
    let test = "[[test]]\nname = \"arms from the DPRK\"\nrule = \"ban-arms-from-PRK\"\n\n[[test.event]]\nid = \"a1\"\ndate = 2023-01-01\ncommodity = \"arms\"\nfrom = \"PRK\"\nexpect = []\nwhy = \"a wrong expectation\"\n";
    std::fs::write(&test_file, test).unwrap();
    let (ruri, turi) = (uri(&rules), uri(&test_file));
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    assert!(c.diagnostics(&ruri).is_empty());
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": ruri}}),
    );
    let p = next_publication(&mut c, &turi);
    let d = &p["params"]["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{p}");
    assert_eq!(d[0]["source"], "sanc test");
    assert_eq!(d[0]["range"]["start"]["line"], 0);
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains("test `arms from the DPRK` fails"),
        "{message}"
    );
    assert!(message.contains("a1"), "{message}");
    // Fixed and saved again: the test file's diagnostics are cleared.
    std::fs::write(
        &test_file,
        test.replace("expect = []", "expect = [\"violation\"]"),
    )
    .unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": turi}}),
    );
    let p = next_publication(&mut c, &turi);
    assert_eq!(p["params"]["diagnostics"], json!([]), "{p}");
    c.shutdown();
}

/// Lists: hover shows the file, entry count and dates; completion offers
/// list names after `on` and roles after `with`; a malformed list entry is
/// published on the list file.
#[test]
fn lists_hover_completion_and_list_file_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("vessels.csv"),
        "name,imo,listed_on,delisted_on,reference\nCHON MA SAN,8660313,2018-03-30,,V1\nPAEK MA,9066541,2018-03-30,,V2\nYU SON,8691702,2019-01-01,,V3\n",
    )
    .unwrap();
    let text = "list vessels \"UN 1718 vessels\" = csv \"vessels.csv\"\nban port calls with vessel on vessels\n";
    let rules = root.join("rules.sanc");
    std::fs::write(&rules, text).unwrap();
    let ruri = uri(&rules);
    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ruri, "languageId": "sanc", "version": 1, "text": text}}),
    );
    let on_list = c.diagnostics(&uri(&root.join("vessels.csv")));
    assert_eq!(on_list.len(), 1, "{on_list:#?}");
    assert_eq!(on_list[0]["code"], "sanc::list::malformed");
    assert_eq!(on_list[0]["range"]["start"], pos(2, 8));
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": ruri}, "position": pos(1, 32)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("2 entries"), "{shown}");
    assert!(shown.contains("vessels.csv"), "{shown}");
    assert!(shown.contains("listed 2018-03-30 … 2019-01-01"), "{shown}");
    let edited = format!("{text}ban any with ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let labels = |items: Value| -> Vec<String> {
        items
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["label"].as_str().map(str::to_string))
            .collect()
    };
    let roles = labels(c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": ruri}, "position": pos(2, 13)}),
    ));
    assert!(
        roles.contains(&"owner".to_string()) && roles.contains(&"vessel".to_string()),
        "{roles:?}"
    );
    let edited = format!("{text}ban any with owner on ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 3}, "contentChanges": [{"text": edited}]}),
    );
    let lists = labels(c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": ruri}, "position": pos(2, 22)}),
    ));
    assert_eq!(lists, ["vessels"]);
}
