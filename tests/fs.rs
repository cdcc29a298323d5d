//! `runtime::fs` on every scheduler flavour: whole-file helpers,
//! directories, and `File` reads, writes and seeks through the blocking
//! pool.

#[macro_use]
mod common;

use runtime::fs::{self, File, OpenOptions};
use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};

fn scratch() -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "runtime-fs-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ))
}

rt_test! {
    fn whole_file_helpers_and_directories(rt) {
        rt.block_on(async {
            let dir = scratch();
            fs::create_dir_all(dir.join("a/b")).await.unwrap();
            let p = dir.join("a/b/file.txt");
            fs::write(&p, "hello fs").await.unwrap();
            assert_eq!(fs::read(&p).await.unwrap(), b"hello fs");
            assert_eq!(fs::read_to_string(&p).await.unwrap(), "hello fs");
            assert_eq!(fs::metadata(&p).await.unwrap().len(), 8);
            let q = dir.join("copy.txt");
            assert_eq!(fs::copy(&p, &q).await.unwrap(), 8);
            let r = dir.join("renamed.txt");
            fs::rename(&q, &r).await.unwrap();
            assert!(!fs::try_exists(&q).await.unwrap());
            let mut names = Vec::new();
            let mut entries = fs::read_dir(&dir).await.unwrap();
            while let Some(e) = entries.next_entry().await.unwrap() {
                names.push(e.file_name().into_string().unwrap());
            }
            names.sort();
            assert_eq!(names, ["a", "renamed.txt"]);
            fs::remove_file(&r).await.unwrap();
            let err = fs::read(&r).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
            fs::remove_dir_all(&dir).await.unwrap();
            assert!(!fs::try_exists(&dir).await.unwrap());
        });
    }

    fn file_read_write_seek(rt) {
        rt.block_on(async {
            let p = scratch();
            let mut f = File::create(&p).await.unwrap();
            // More than one blocking-pool trip's worth, in odd pieces.
            let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
            for chunk in data.chunks(70_001) {
                f.write_all(chunk).await.unwrap();
            }
            f.flush().await.unwrap();
            f.sync_all().await.unwrap();
            assert_eq!(f.metadata().await.unwrap().len(), data.len() as u64);
            drop(f);

            let mut f = OpenOptions::new().read(true).write(true).open(&p).await.unwrap();
            let mut got = Vec::new();
            f.read_to_end(&mut got).await.unwrap();
            assert!(got == data);
            // Read a little, then write: the write lands right after what
            // was read, not after what the file read ahead.
            f.seek(SeekFrom::Start(10)).await.unwrap();
            let mut four = [0; 4];
            f.read_exact(&mut four).await.unwrap();
            assert_eq!(four, data[10..14]);
            f.write_all(b"XY").await.unwrap();
            f.flush().await.unwrap();
            assert_eq!(f.seek(SeekFrom::Current(0)).await.unwrap(), 16);
            f.seek(SeekFrom::Start(12)).await.unwrap();
            f.read_exact(&mut four).await.unwrap();
            assert_eq!(&four, &[data[12], data[13], b'X', b'Y']);
            f.set_len(100).await.unwrap();
            assert_eq!(fs::metadata(&p).await.unwrap().len(), 100);
            drop(f);
            fs::remove_file(&p).await.unwrap();
        });
    }
}
