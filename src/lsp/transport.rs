//! `Content-Length` framing that survives bad input: a frame that cannot be
//! read is reported (with the request id when one can be found) and the
//! reader carries on with the next frame.

use lsp_server::{ErrorCode, Message, RequestId};
use std::io::Read;

/// The largest message read (a rule file of tens of megabytes fits); a
/// larger `Content-Length` is refused rather than allocated.
pub const MAX_MESSAGE: usize = 64 << 20;

/// Header lines are short; a longer run of bytes without a line end is cut
/// into pieces of this size (and is not a header).
const MAX_LINE: usize = 1024;

/// What one frame of input held.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A frame that is not a JSON-RPC message. With an `id`, the client
    /// waits for an answer: an error response with `code`.
    Bad {
        id: Option<RequestId>,
        code: ErrorCode,
        why: String,
    },
}

/// Reads frames from a byte stream, resynchronising on the next
/// `Content-Length` header after garbage or a truncated frame.
pub struct FrameReader<R> {
    r: R,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
}

/// Where `needle` (ASCII, lower case) starts in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

const CONTENT_LENGTH: &[u8] = b"content-length:";

/// Where the next frame may start in a body that is not JSON: its first
/// `Content-Length` header, or a start of one cut off by the body's end.
fn resync_point(body: &[u8]) -> Option<usize> {
    find_ci(body, CONTENT_LENGTH).or_else(|| {
        (1..CONTENT_LENGTH.len())
            .rev()
            .find(|&n| {
                body.len() >= n && body[body.len() - n..].eq_ignore_ascii_case(&CONTENT_LENGTH[..n])
            })
            .map(|n| body.len() - n)
    })
}

impl<R: Read> FrameReader<R> {
    pub fn new(r: R) -> Self {
        FrameReader {
            r,
            buf: Vec::new(),
            start: 0,
            eof: false,
        }
    }

    /// Whether every byte read so far has been handed out in frames: the
    /// next frame waits for more input.
    pub fn drained(&self) -> bool {
        self.available().is_empty()
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Read more input; `false` at its end.
    fn more(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.r.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next line (without its line end), or a piece of at most
    /// `MAX_LINE` bytes; `None` at the end of the input.
    fn line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            let avail = self.available();
            if let Some(i) = memchr::memchr(b'\n', &avail[..avail.len().min(MAX_LINE)]) {
                let mut line = avail[..i].to_vec();
                self.start += i + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if avail.len() >= MAX_LINE {
                // Cut before a header that follows the garbage, and never
                // through one: keep a tail that could be its start.
                let cut = match find_ci(&avail[..MAX_LINE], CONTENT_LENGTH) {
                    Some(k) if k > 0 => k,
                    _ => MAX_LINE - CONTENT_LENGTH.len(),
                };
                let piece = avail[..cut].to_vec();
                self.start += cut;
                return Ok(Some(piece));
            }
            if !self.more()? {
                let rest = self.available().to_vec();
                self.start = self.buf.len();
                return Ok((!rest.is_empty()).then_some(rest));
            }
        }
    }

    /// Exactly `n` bytes; `None` if the input ends first.
    fn take(&mut self, n: usize) -> std::io::Result<Option<Vec<u8>>> {
        while self.available().len() < n {
            if !self.more()? {
                self.start = self.buf.len();
                return Ok(None);
            }
        }
        let out = self.available()[..n].to_vec();
        self.start += n;
        Ok(Some(out))
    }

    /// Put bytes back in front of the input.
    fn unread(&mut self, bytes: &[u8]) {
        let mut buf = bytes.to_vec();
        buf.extend_from_slice(self.available());
        self.buf = buf;
        self.start = 0;
    }

    /// The next frame; `None` at the end of the input. Only a failure to
    /// read the input is an error.
    pub fn next_frame(&mut self) -> std::io::Result<Option<Frame>> {
        let mut size: Option<usize> = None;
        let mut problem: Option<String> = None;
        let mut seen = false;
        loop {
            let Some(mut line) = self.line()? else {
                // The input ended inside a header: nothing more to read.
                return Ok(None);
            };
            // A header glued to the end of garbage (a body longer than its
            // `Content-Length` said) starts a new frame.
            if let Some(k) = line
                .get(1..)
                .and_then(|rest| find_ci(rest, CONTENT_LENGTH))
                .map(|k| k + 1)
            {
                line.drain(..k);
                problem = Some("bytes outside any message were skipped".into());
            }
            if line.is_empty() {
                if size.is_some() {
                    break;
                }
                if seen {
                    return Ok(Some(bad(
                        None,
                        problem.unwrap_or_else(|| "a message without Content-Length".into()),
                    )));
                }
                continue;
            }
            seen = true;
            if line.len() >= CONTENT_LENGTH.len()
                && line[..CONTENT_LENGTH.len()].eq_ignore_ascii_case(CONTENT_LENGTH)
            {
                let value = String::from_utf8_lossy(&line[CONTENT_LENGTH.len()..])
                    .trim()
                    .to_string();
                match value.parse::<usize>() {
                    Ok(n) if n <= MAX_MESSAGE => {
                        size = Some(n);
                        problem = None;
                    }
                    Ok(n) => {
                        size = None;
                        problem = Some(format!(
                            "a message of {n} bytes is more than the {MAX_MESSAGE} bytes allowed"
                        ));
                    }
                    Err(_) => {
                        size = None;
                        problem = Some(format!("bad Content-Length {value:?}"));
                    }
                }
            }
            // Other headers (Content-Type) and lines that are no header
            // are passed over.
        }
        let size = size.unwrap_or(0);
        let Some(body) = self.take(size)? else {
            return Ok(None);
        };
        Ok(Some(decode(&body, self)))
    }
}

fn bad(id: Option<RequestId>, why: String) -> Frame {
    Frame::Bad {
        id,
        code: ErrorCode::InvalidRequest,
        why,
    }
}

/// A frame's body as a message, or what is wrong with it.
fn decode<R: Read>(body: &[u8], reader: &mut FrameReader<R>) -> Frame {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            // A frame cut short (its `Content-Length` larger than what was
            // sent) swallowed the start of the next one: read that again.
            if let Some(k) = resync_point(body) {
                reader.unread(&body[k..]);
            }
            return Frame::Bad {
                id: None,
                code: ErrorCode::ParseError,
                why: format!("a message that is not JSON: {e}"),
            };
        }
    };
    match value {
        serde_json::Value::Object(ref object) => {
            let id = object.get("id").and_then(|id| match id {
                serde_json::Value::Number(n) => n
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .map(RequestId::from),
                serde_json::Value::String(s) => Some(RequestId::from(s.clone())),
                _ => None,
            });
            let has_method = object.get("method").is_some();
            match serde_json::from_value::<Message>(value) {
                // An object with an id and no method is a response.
                Ok(m) => Frame::Message(m),
                Err(e) => bad(
                    id.filter(|_| has_method),
                    format!("a message that is not JSON-RPC: {e}"),
                ),
            }
        }
        serde_json::Value::Array(_) => bad(
            None,
            "a batch of messages (the Language Server Protocol has none)".into(),
        ),
        _ => bad(None, "a message that is not a JSON object".into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut r = FrameReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            out.push(match f {
                Frame::Message(Message::Request(r)) => format!("request {}", r.method),
                Frame::Message(Message::Notification(n)) => format!("notification {}", n.method),
                Frame::Message(Message::Response(r)) => format!("response {}", r.id),
                Frame::Bad { id, code, .. } => format!("bad {id:?} {code:?}"),
            });
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_frames_are_reported_and_skipped() {
        let ok = frame(r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#);
        let mut input = String::new();
        input += &frame("{not json");
        input += &ok;
        input += &frame("[1,2]");
        input += &frame("7");
        input += &frame(r#"{"jsonrpc":"2.0","id":9,"method":5}"#);
        input += "garbage\r\n\r\n";
        input += &ok;
        input += "Content-Length: x\r\n\r\n";
        input += &ok;
        // Cut short: declares 100 bytes, gives fewer, the next frame follows.
        input += "Content-Length: 100\r\n\r\n{\"jsonrpc\"";
        input += &ok;
        input += "content-length:   5  \r\nContent-Type: x\r\n\r\n{\"a\":";
        input += &ok;
        // A long run of garbage without a line end, glued to a header.
        input += &"x".repeat(5000);
        input += &ok;
        let got = frames(input.as_bytes());
        assert_eq!(
            got,
            [
                "bad None ParseError",
                "request a",
                "bad None InvalidRequest",
                "bad None InvalidRequest",
                "bad Some(RequestId(I32(9))) InvalidRequest",
                "bad None InvalidRequest",
                "request a",
                "bad None InvalidRequest",
                "request a",
                "bad None ParseError",
                "request a",
                "bad None ParseError",
                "request a",
                "request a",
            ]
        );
    }

    #[test]
    fn a_huge_length_is_refused_without_allocating() {
        let input = format!(
            "Content-Length: 18446744073709551615\r\n\r\n{}",
            frame(r#"{"jsonrpc":"2.0","method":"n"}"#)
        );
        assert_eq!(
            frames(input.as_bytes()),
            ["bad None InvalidRequest", "notification n"]
        );
    }
}
