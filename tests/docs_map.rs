//! Keeps the map in `docs/architecture.md` true: every file or folder path
//! the page names (in backticks, or in the module diagrams of its
//! "Crates" section) must exist in the workspace. A renamed or moved
//! module fails this test until the page follows it.

use std::path::PathBuf;

/// Where a path on the page may be rooted: the workspace root, then the
/// source folder of each crate (the page names `runtime-core` modules as
/// `scheduler/multi_thread/worker.rs`, without `runtime-core/src/`).
const ROOTS: &[&str] = &[
    "",
    "runtime-core/src",
    "runtime-net/src",
    "runtime-sync/src",
    "runtime-stream/src",
    "runtime-codec/src",
    "runtime-macros/src",
    "src",
    "docs",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn page() -> String {
    std::fs::read_to_string(workspace().join("docs/architecture.md"))
        .expect("docs/architecture.md is missing")
}

/// `a/{b,c}.rs` -> `a/b.rs`, `a/c.rs` (one brace group, as the page uses).
fn expand_braces(path: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (path.find('{'), path.find('}')) else {
        return vec![path.to_string()];
    };
    assert!(open < close, "unbalanced braces in `{path}`");
    path[open + 1..close]
        .split(',')
        .map(|alt| format!("{}{}{}", &path[..open], alt.trim(), &path[close + 1..]))
        .collect()
}

/// A backticked token that names a file or folder of ours: a relative
/// path with a `/` or a `.rs`/`.md`/`.sh`/`.toml` name, and nothing that
/// reads as code (spaces, `::`, calls, globs, options).
fn is_path(token: &str) -> bool {
    let named_file = [".rs", ".md", ".sh", ".toml"]
        .iter()
        .any(|ext| token.ends_with(ext));
    (token.contains('/') || named_file)
        && !token.starts_with('/')
        && !token.starts_with("..")
        && !token.contains("://")
        && !token.contains("::")
        && !token.contains('*')
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./{},".contains(c))
}

/// `path` exists under one of the roots, as written or as a module name
/// without its `.rs` (the page writes `raw_task/{raw,harness}`). A bare
/// file name (`lease.rs`, in the row of the folder that holds it) must
/// be the name of some file under the roots. Paths into Tokio's own tree
/// (`tokio/src/...`, where the page compares) are not ours to check.
fn exists(path: &str) -> bool {
    if path.starts_with("tokio/") {
        return true;
    }
    let base = workspace();
    if !path.contains('/') {
        return ROOTS[1..]
            .iter()
            .chain(&["tests", "benches", "examples", "scripts", ".ci"])
            .any(|root| holds_file_named(&base.join(root), path));
    }
    ROOTS.iter().any(|root| {
        let at = base.join(root).join(path);
        at.exists() || at.with_extension("rs").exists()
    })
}

/// A file called `name` somewhere under `dir`.
fn holds_file_named(dir: &std::path::Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            holds_file_named(&path, name)
        } else {
            e.file_name() == name
        }
    })
}

/// The lines of `text` with, for each, whether it lies inside a fenced
/// code block (the fence lines themselves are left out).
fn lines_with_fence(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut in_fence = false;
    text.lines().filter_map(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            None
        } else {
            Some((in_fence, line))
        }
    })
}

/// Every backticked token on the page that is a path.
fn backticked_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, line) in lines_with_fence(text).filter(|(fenced, _)| !fenced) {
        for (i, token) in line.split('`').enumerate() {
            if i % 2 == 1 && is_path(token) {
                out.extend(expand_braces(token));
            }
        }
    }
    out
}

/// The module names in the fenced diagrams of the "Crates" section:
/// `name/` folders and `name.rs` files. A name inside `dir/ (...)` is
/// looked up inside that folder.
fn diagram_paths(text: &str) -> Vec<String> {
    let text = format!("\n{text}");
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Crates"))
        .expect("docs/architecture.md has no \"Crates\" section");
    let mut out = Vec::new();
    for (_, line) in lines_with_fence(section).filter(|(fenced, _)| *fenced) {
        // The folder a parenthesised list belongs to.
        let mut folder = String::new();
        let mut depth = 0;
        for raw in line.split_whitespace() {
            let opens = raw.starts_with('(');
            let closes = raw.ends_with(')') || raw.ends_with("),");
            let token = raw.trim_matches(|c: char| "(),:|\\".contains(c));
            if opens {
                depth += 1;
            }
            let module = token.ends_with(".rs") || (token.ends_with('/') && token.len() > 1);
            let ours = module
                && token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c));
            if ours {
                if depth > 0 && !folder.is_empty() {
                    out.push(format!("{folder}{token}"));
                } else {
                    out.push(token.to_string());
                    if token.ends_with('/') {
                        folder = token.to_string();
                    }
                }
            } else if depth == 0 && !token.is_empty() && !opens {
                folder.clear();
            }
            if closes && depth > 0 {
                depth -= 1;
                if depth == 0 {
                    folder.clear();
                }
            }
        }
    }
    out
}

#[test]
fn every_path_named_in_the_architecture_page_exists() {
    let text = page();
    let mut paths = backticked_paths(&text);
    paths.extend(diagram_paths(&text));
    // A page that lost its map would pass vacuously.
    assert!(
        paths.len() > 100,
        "only {} paths found in docs/architecture.md: did the page or this parser change?",
        paths.len()
    );
    let missing: Vec<&String> = paths.iter().filter(|p| !exists(p)).collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md names paths that do not exist (looked up from the \
         workspace root and each crate's src/): {missing:?}; fix the page or the \
         path"
    );
}

#[test]
fn the_diagram_names_the_core_modules() {
    let text = page();
    let diagram = diagram_paths(&text);
    for module in [
        "task/",
        "scheduler/",
        "raw_task/",
        "driver.rs",
        "context.rs",
    ] {
        assert!(
            diagram.iter().any(|p| p == module),
            "the module diagram of docs/architecture.md no longer shows `{module}`: {diagram:?}"
        );
    }
    // Names inside `scheduler/ (...)` are looked up in that folder.
    assert!(
        diagram.iter().any(|p| p == "scheduler/current_thread.rs"),
        "{diagram:?}"
    );
}

#[test]
fn the_path_parsers_read_what_the_page_writes() {
    assert_eq!(
        expand_braces("raw_task/{raw,harness,waker}"),
        ["raw_task/raw", "raw_task/harness", "raw_task/waker"]
    );
    assert!(is_path("scheduler/multi_thread/worker.rs"));
    assert!(is_path("docs/benchmarks.md"));
    assert!(!is_path("Handle::spawn"));
    assert!(!is_path("cargo bench --bench clock"));
    assert!(!is_path("/proc/PID/stat"));
    assert!(!exists("scheduler/no_such_module.rs"));
    assert!(!exists("no_such_module.rs"));
    assert!(exists("lease.rs"));
    let fake = "## Crates\n```\n a/ (b.rs, c/)\n d.rs\n```\n";
    assert_eq!(diagram_paths(fake), ["a/", "a/b.rs", "a/c/", "d.rs"]);
}
