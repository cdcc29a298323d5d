//! `runtime::fs` on every scheduler flavour: whole-file helpers,
//! directories, links and permissions, `DirBuilder`, `OpenOptions`'s Unix
//! options, `File` reads, writes and seeks through the blocking pool (and
//! `try_clone`, `try_into_std`, `set_permissions`), and `ReadDir` calls
//! cancelled half-way losing no entry.

#[macro_use]
mod common;

use futures::FutureExt;
use runtime::fs::{self, DirBuilder, File, OpenOptions};
use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;

/// Holds the blocking pool's only spare thread (runtimes built with
/// `max_blocking_threads(1)`) until dropped, so filesystem calls started
/// meanwhile wait in its queue, whatever the timing.
struct HeldPool(Option<std::sync::mpsc::Sender<()>>);

impl HeldPool {
    async fn hold() -> HeldPool {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = futures::channel::oneshot::channel();
        runtime::task::spawn_blocking(move || {
            started.send(()).unwrap();
            let _ = wait.recv();
        });
        running.await.unwrap();
        HeldPool(Some(release))
    }
}

impl Drop for HeldPool {
    fn drop(&mut self) {
        let _ = self.0.take().unwrap().send(());
    }
}

fn one_blocking_thread(b: &mut runtime::Builder) {
    b.max_blocking_threads(1);
}

fn scratch() -> std::path::PathBuf {
    common::temp_path("runtime-fs-test")
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
            // More than one blocking-pool trip's worth, in odd pieces. No
            // period: a read from a wrong offset cannot give the right bytes.
            let data: Vec<u8> = (0..3_000_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
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
            // A small read makes the file read ahead a whole buffer; seeks
            // then count from what the caller read, and the next read
            // gives the bytes at the new position, not the rest of that
            // buffer: back, back from the current position, forward
            // within the buffer, and from the end.
            let at = |pos: usize, n: usize| data[pos..pos + n].to_vec();
            assert_eq!(f.seek(SeekFrom::Start(1000)).await.unwrap(), 1000);
            let mut some = vec![0; 100];
            f.read_exact(&mut some).await.unwrap();
            assert_eq!(some, at(1000, 100));
            assert_eq!(f.seek(SeekFrom::Current(0)).await.unwrap(), 1100);
            assert_eq!(f.seek(SeekFrom::Current(-50)).await.unwrap(), 1050);
            f.read_exact(&mut some).await.unwrap();
            assert_eq!(some, at(1050, 100), "after seeking back by 50");
            assert_eq!(f.seek(SeekFrom::Start(500)).await.unwrap(), 500);
            f.read_exact(&mut some).await.unwrap();
            assert_eq!(some, at(500, 100), "after seeking back to 500");
            assert_eq!(f.seek(SeekFrom::Current(300)).await.unwrap(), 900);
            f.read_exact(&mut some).await.unwrap();
            assert_eq!(some, at(900, 100), "after seeking forward by 300");
            let end = data.len() as u64;
            assert_eq!(f.seek(SeekFrom::End(-5)).await.unwrap(), end - 5);
            let mut tail = Vec::new();
            f.read_to_end(&mut tail).await.unwrap();
            assert_eq!(tail, at(data.len() - 5, 5));
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

    fn links_permissions_and_dir_builder(rt) {
        rt.block_on(async {
            let dir = scratch();
            DirBuilder::new().recursive(true).mode(0o750).create(dir.join("a/b")).await.unwrap();
            let mode = fs::metadata(dir.join("a/b")).await.unwrap().permissions().mode();
            assert_eq!(mode & 0o777 & !0o750, 0, "mode {mode:o}: more than 0o750");
            // Not recursive: an existing directory and a missing parent
            // are errors.
            let err = DirBuilder::new().create(dir.join("a")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AlreadyExists);
            let err = DirBuilder::new().create(dir.join("x/y")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);

            let file = dir.join("a/file");
            fs::write(&file, "linked").await.unwrap();
            fs::hard_link(&file, dir.join("hard")).await.unwrap();
            assert_eq!(fs::metadata(&file).await.unwrap().len(), 6);
            fs::write(dir.join("hard"), "changed").await.unwrap();
            assert_eq!(fs::read_to_string(&file).await.unwrap(), "changed");
            let err = fs::hard_link(&file, dir.join("hard")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AlreadyExists);

            fs::symlink("a/file", dir.join("soft")).await.unwrap();
            assert_eq!(fs::read_link(dir.join("soft")).await.unwrap(), std::path::Path::new("a/file"));
            assert_eq!(fs::read_to_string(dir.join("soft")).await.unwrap(), "changed");
            assert!(fs::symlink_metadata(dir.join("soft")).await.unwrap().file_type().is_symlink());
            let err = fs::read_link(&file).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "not a link: {err}");

            fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).await.unwrap();
            let mode = fs::metadata(&file).await.unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
            fs::remove_dir_all(&dir).await.unwrap();
        });
    }

    fn open_options_mode_and_custom_flags(rt) {
        rt.block_on(async {
            let dir = scratch();
            fs::create_dir_all(&dir).await.unwrap();
            let path = dir.join("private");
            let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).await.unwrap();
            assert_eq!(file.metadata().await.unwrap().permissions().mode() & 0o777, 0o600);
            drop(file);
            fs::symlink(&path, dir.join("link")).await.unwrap();
            let err = OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(dir.join("link"))
                .await
                .unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
            // Without the flag the link is followed.
            OpenOptions::new().read(true).open(dir.join("link")).await.unwrap();
            let mut std_options = std::fs::OpenOptions::new();
            std_options.read(true);
            OpenOptions::from(std_options).open(&path).await.unwrap();
            fs::remove_dir_all(&dir).await.unwrap();
        });
    }

    fn file_try_clone_and_set_permissions(rt) {
        rt.block_on(async {
            let path = scratch();
            let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).await.unwrap();
            let mut clone = file.try_clone().await.unwrap();
            file.write_all(b"one file").await.unwrap();
            file.flush().await.unwrap();
            // One file position for both.
            assert_eq!(clone.stream_position().await.unwrap(), 8);
            clone.rewind().await.unwrap();
            let mut text = String::new();
            clone.read_to_string(&mut text).await.unwrap();
            assert_eq!(text, "one file");

            let mut perms = file.metadata().await.unwrap().permissions();
            perms.set_mode(0o444);
            clone.set_permissions(perms).await.unwrap();
            assert!(fs::metadata(&path).await.unwrap().permissions().readonly());
            drop((file, clone));
            fs::remove_file(&path).await.unwrap();
        });
    }

    fn file_try_into_std_waits_for_nothing(rt, one_blocking_thread) {
        rt.block_on(async {
            let path = scratch();
            let mut file = File::create(&path).await.unwrap();
            let held = HeldPool::hold().await;
            // The write is queued behind the held thread: still in flight.
            file.write_all(b"queued").await.unwrap();
            let file = file.try_into_std().expect_err("a write is in flight");
            drop(held);
            let mut file = file;
            file.flush().await.unwrap();
            let std_file = file.try_into_std().expect("nothing in flight after flush");
            assert_eq!(std_file.metadata().unwrap().len(), 6);
            fs::remove_file(&path).await.unwrap();
        });
    }

    fn cancelled_set_len_stays_in_flight(rt, one_blocking_thread) {
        rt.block_on(async {
            let path = scratch();
            let mut file = File::create(&path).await.unwrap();
            file.write_all(b"0123456789").await.unwrap();
            file.flush().await.unwrap();
            let held = HeldPool::hold().await;
            // Queued behind the held thread, polled once, then dropped (a
            // losing `select!` branch): the truncation still happens.
            assert!(file.set_len(0).now_or_never().is_none());
            // The next operation comes after it: once a flush returns,
            // the file is truncated. (While the thread is held, the
            // truncation cannot have run, so the flush must wait.)
            match file.flush().now_or_never() {
                Some(res) => {
                    res.unwrap();
                    let len = std::fs::metadata(&path).unwrap().len();
                    assert_eq!(len, 0, "flush returned before the cancelled set_len ran");
                }
                None => {
                    drop(held);
                    file.flush().await.unwrap();
                }
            }
            assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
            // And a write after it is not undone by it.
            file.rewind().await.unwrap();
            file.write_all(b"kept").await.unwrap();
            file.flush().await.unwrap();
            assert_eq!(fs::read(&path).await.unwrap(), b"kept");
            fs::remove_file(&path).await.unwrap();
        });
    }

    fn read_dir_next_entry_is_cancel_safe(rt, one_blocking_thread) {
        rt.block_on(async {
            // Three batches on the blocking pool (32, 32, 6 entries).
            const N: usize = 70;
            let dir = scratch();
            fs::create_dir_all(&dir).await.unwrap();
            for i in 0..N {
                fs::write(dir.join(format!("entry-{i:02}")), "").await.unwrap();
            }
            let mut entries = fs::read_dir(&dir).await.unwrap();
            let mut names = Vec::new();
            let mut cancelled = 0;
            loop {
                if names.len() % 32 == 0 {
                    // At a batch boundary: the call starts a batch read,
                    // which waits behind the held thread, and is dropped
                    // half-way, several times over.
                    let held = HeldPool::hold().await;
                    for _ in 0..3 {
                        match entries.next_entry().now_or_never() {
                            None => cancelled += 1,
                            Some(res) => {
                                // Only the end of the listing is ready at once.
                                assert!(res.unwrap().is_none(), "an entry without reading a batch");
                                assert_eq!(names.len(), N);
                            }
                        }
                    }
                    drop(held);
                }
                // Every other call is dropped after one poll too; a ready
                // one counts.
                match entries.next_entry().now_or_never() {
                    Some(res) => match res.unwrap() {
                        Some(entry) => {
                            names.push(entry.file_name().into_string().unwrap());
                            continue;
                        }
                        None => break,
                    },
                    None => cancelled += 1,
                }
                match entries.next_entry().await.unwrap() {
                    Some(entry) => names.push(entry.file_name().into_string().unwrap()),
                    None => break,
                }
            }
            // The three batch boundaries were each cancelled three times.
            assert!(cancelled >= 9, "{cancelled} cancelled calls");
            names.sort();
            let expected: Vec<String> = (0..N).map(|i| format!("entry-{i:02}")).collect();
            assert_eq!(names, expected, "an entry was lost or repeated");
            fs::remove_dir_all(&dir).await.unwrap();
        });
    }
}

/// A file whose blocking job failed (here: cancelled by a shutdown before
/// it ran) reports that once, then works again, in another runtime.
#[test]
fn a_file_whose_job_failed_reports_it_once_then_works() {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("f");
    std::fs::write(&path, b"hello").unwrap();
    let rt = runtime::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let mut file = rt.block_on(File::open(&path)).unwrap();
    // Hold the only blocking thread, so the file's read stays queued.
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    drop(rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv();
    }));
    started_rx.recv().unwrap();
    rt.block_on(async {
        let mut buf = [0u8; 5];
        // One poll queues the read job; dropping the future leaves it in
        // flight, as the file's next operation must wait for it.
        assert!(file.read(&mut buf).now_or_never().is_none());
    });
    // The queued job is cancelled, never run.
    rt.shutdown_background();
    release_tx.send(()).unwrap();
    let rt2 = runtime::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt2.block_on(async {
        let mut buf = [0u8; 5];
        let err = file.read(&mut buf).await.unwrap_err();
        assert!(
            err.to_string().contains("blocking file operation failed"),
            "{err}"
        );
        // Then the file works: the cancelled read never moved it.
        file.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
