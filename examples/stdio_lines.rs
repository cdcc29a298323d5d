//! The standard streams, asynchronously: numbers the lines of stdin onto
//! stdout (through a `BufWriter`) and reports the count on stderr.
//!
//! ```text
//! printf 'a\nb\n' | cargo run --example stdio_lines
//! ```

use runtime::io::{stderr, stdin, stdout, AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let mut lines = BufReader::new(stdin()).lines();
    let mut out = BufWriter::new(stdout());
    let mut n = 0u64;
    while let Some(line) = lines.next_line().await? {
        n += 1;
        out.write_all(format!("{n}: {line}\n").as_bytes()).await?;
    }
    out.flush().await?;
    let mut err = stderr();
    err.write_all(format!("{n} lines\n").as_bytes()).await?;
    // Waits for the write in flight before the runtime ends.
    err.flush().await?;
    Ok(())
}
