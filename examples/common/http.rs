//! A minimal HTTP/1.1 request parser and "Hello, world!" responder shared
//! by the HTTP examples (and the Tokio twin used only by the benchmark),
//! so both servers do exactly the same work per request. It works on
//! bytes only; the servers do the I/O.
#![allow(dead_code)]

/// The response body every request gets.
pub const BODY: &str = "Hello, world!";

/// One parsed request head.
pub struct Request {
    /// Bytes of the head and body, to drop from the buffer.
    pub len: usize,
    /// `GET /path` and so on.
    pub method: String,
    pub path: String,
    /// The connection stays open after this request.
    pub keep_alive: bool,
}

/// Parses one request from the start of `buf`: `Ok(None)` if it is not
/// complete yet, `Err` if it is malformed.
pub fn parse(buf: &[u8]) -> Result<Option<Request>, &'static str> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > 64 * 1024 {
            return Err("request head larger than 64 KiB");
        }
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| "request head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(path), Some(version)) = (first.next(), first.next(), first.next())
    else {
        return Err("malformed request line");
    };
    let mut keep_alive = version == "HTTP/1.1";
    let mut content_length = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err("malformed header");
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            keep_alive = !value.eq_ignore_ascii_case("close")
                && (keep_alive || value.eq_ignore_ascii_case("keep-alive"));
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().map_err(|_| "bad content-length")?;
        }
    }
    let len = end + 4 + content_length;
    if buf.len() < len {
        return Ok(None);
    }
    Ok(Some(Request {
        len,
        method: method.to_string(),
        path: path.to_string(),
        keep_alive,
    }))
}

/// Appends a response with `status` and `body` to `out`.
pub fn respond(out: &mut Vec<u8>, status: &str, body: &str, keep_alive: bool) {
    use std::io::Write;
    let conn = if keep_alive { "keep-alive" } else { "close" };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: {conn}\r\n\r\n{body}",
        body.len()
    )
    .expect("writing to a Vec cannot fail");
}

/// Handles every complete request in `buf` (pipelined ones too),
/// appending the responses to `out`. Returns `false` when the connection
/// should close after `out` is written.
pub fn handle(buf: &mut Vec<u8>, out: &mut Vec<u8>) -> bool {
    loop {
        match parse(buf) {
            Ok(Some(req)) => {
                buf.drain(..req.len);
                respond(out, "200 OK", BODY, req.keep_alive);
                if !req.keep_alive {
                    return false;
                }
            }
            Ok(None) => return true,
            Err(why) => {
                respond(out, "400 Bad Request", why, false);
                return false;
            }
        }
    }
}
