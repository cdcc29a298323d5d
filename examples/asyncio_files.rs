//! aiofiles: file I/O that does not block the event loop. `runtime::fs`
//! runs every call on the blocking pool, as aiofiles runs them in a thread
//! pool.
//!
//! ```python
//! import aiofiles, aiofiles.os, asyncio, os, tempfile
//!
//! async def main():
//!     d = os.path.join(tempfile.gettempdir(), f"asyncio_files_{os.getpid()}")
//!     await aiofiles.os.makedirs(d, exist_ok=True)
//!     path = os.path.join(d, "notes.txt")
//!     async with aiofiles.open(path, "w") as f:
//!         await f.write("first line\nsecond line\n")
//!     async with aiofiles.open(path, "a") as f:
//!         await f.write("third line\n")
//!     async with aiofiles.open(path) as f:
//!         lines = [line.rstrip() async for line in f]
//!     print(lines, (await aiofiles.os.stat(path)).st_size)
//!     for name in await aiofiles.os.listdir(d):
//!         await aiofiles.os.remove(os.path.join(d, name))
//!     await aiofiles.os.rmdir(d)
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_files
//! ```

use runtime::fs::{self, File, OpenOptions};
use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::stream::StreamExt;
use std::io;

#[runtime::main]
async fn main() -> io::Result<()> {
    let dir = std::env::temp_dir().join(format!("asyncio_files_{}", std::process::id()));
    fs::create_dir_all(&dir).await?;
    let path = dir.join("notes.txt");

    // async with aiofiles.open(path, "w") as f: await f.write(...)
    let mut f = File::create(&path).await?;
    f.write_all(b"first line\nsecond line\n").await?;
    // Writes are handed to the blocking pool in the background: flush (or
    // sync_all) before dropping the file to see their errors.
    f.flush().await?;
    drop(f);

    // aiofiles.open(path, "a")
    let mut f = OpenOptions::new().append(true).open(&path).await?;
    f.write_all(b"third line\n").await?;
    f.flush().await?;
    drop(f);

    // [line async for line in f]: BufReader + lines(), a Stream.
    let f = File::open(&path).await?;
    let lines: Vec<String> = BufReader::new(f)
        .lines()
        .map(|l| l.unwrap())
        .collect()
        .await;
    assert_eq!(lines, ["first line", "second line", "third line"]);
    println!("lines: {lines:?}");

    // The one-call helpers: read_to_string, metadata, read_dir, remove_*.
    let text = fs::read_to_string(&path).await?;
    let size = fs::metadata(&path).await?.len();
    assert_eq!(size, text.len() as u64);
    println!("size: {size} bytes");

    let mut names = Vec::new();
    let mut entries = fs::read_dir(&dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    assert_eq!(names, ["notes.txt"]);
    println!("listdir: {names:?}");

    fs::remove_file(&path).await?;
    fs::remove_dir_all(&dir).await?;
    assert!(!fs::try_exists(&dir).await?);
    println!("cleaned up");
    Ok(())
}
