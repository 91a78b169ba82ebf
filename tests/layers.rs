//! The crate's modules form layers, each using only the layers below it, so
//! there are no cycles:
//!
//! 0. `error`, `rng`, `summary` (each uses no other module)
//! 1. `scenario`
//! 2. `model`
//! 3. `engine`
//! 4. `python`
//!
//! Read from the sources: every `crate::<module>` reference (a `use`, a
//! path, a doc link, a grouped `crate::{a, b}`) in `src/<module>/**` or
//! `src/<module>.rs` must name a module of a lower layer. `super::super`,
//! which could reach the crate's root without saying `crate::`, is refused.
use std::fs;
use std::path::{Path, PathBuf};

/// The modules by layer, lowest first.
const LAYERS: [(&str, usize); 7] =
    [("error", 0), ("rng", 0), ("summary", 0), ("scenario", 1), ("model", 2), ("engine", 3), ("python", 4)];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules `text` refers to through `crate::`, with their line numbers.
fn references(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate::".len()..];
            rest = after;
            if before.is_some_and(is_ident) {
                continue; // some_crate::x
            }
            if let Some(group) = after.strip_prefix('{') {
                // crate::{a::X, b::{Y, Z}}: the first name of each top-level item
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if start && is_ident(c) => {
                            out.push((ident(&group[i..]).to_string(), no + 1));
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push((ident(after).to_string(), no + 1));
            }
        }
    }
    out
}

/// What is wrong with the references of a file of `module`.
fn violations(module: &str, file: &str, text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let Some(own) = layer(module) else {
        return vec![format!("{file}: module `{module}` is in no layer (add it to LAYERS)")];
    };
    for (used, line) in references(text) {
        if used == module || used.is_empty() {
            continue;
        }
        match layer(&used) {
            None => bad.push(format!("{file}:{line}: `crate::{used}` is in no layer")),
            Some(l) if l >= own => bad.push(format!(
                "{file}:{line}: `{module}` (layer {own}) uses `crate::{used}` (layer {l}): only lower layers may be used"
            )),
            Some(_) => {}
        }
    }
    if let Some(line) = text.lines().position(|l| l.contains("super::super")) {
        bad.push(format!("{file}:{}: `super::super` (say `crate::...`)", line + 1));
    }
    bad
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_use_only_the_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    let mut seen = 0;
    for path in &files {
        let rel = path.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a file").as_os_str().to_string_lossy().into_owned();
        let module = first.strip_suffix(".rs").unwrap_or(&first);
        if module == "lib" {
            continue;
        }
        let text = fs::read_to_string(path).expect("a source file");
        bad.extend(violations(module, &rel.display().to_string(), &text));
        seen += 1;
    }
    assert!(seen > 20, "only {seen} source files found under {}", src.display());
    assert!(bad.is_empty(), "upward or unknown references:\n{}", bad.join("\n"));
}

#[test]
fn lib_declares_exactly_the_layers() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).expect("lib.rs");
    let mut declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    declared.sort_unstable();
    let mut layers: Vec<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    layers.sort_unstable();
    assert_eq!(declared, layers);
    // lib.rs declares modules and nothing else.
    let other: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#[cfg(") && !l.contains("mod "))
        .collect();
    assert!(other.is_empty(), "lib.rs holds more than module declarations: {other:?}");
}

#[test]
fn the_check_catches_upward_uses() {
    assert!(violations("model", "f", "use crate::scenario::Validated;\nuse crate::rng::Streams;").is_empty());
    assert!(violations("engine", "f", "//! see [`crate::model::Model`]").is_empty());
    let up = violations("scenario", "f", "use crate::model::Model;");
    assert!(up.len() == 1 && up[0].contains("`scenario` (layer 1) uses `crate::model` (layer 2)"), "{up:?}");
    let grouped = violations("model", "f", "use crate::{scenario::{Validated, Dist}, engine::runner};");
    assert!(grouped.len() == 1 && grouped[0].contains("crate::engine"), "{grouped:?}");
    // one bottom layer may not use another: no cycles among them either
    assert_eq!(violations("rng", "f", "fn f() -> crate::error::CoreError { todo!() }").len(), 1);
    assert_eq!(violations("summary", "f", "let x = crate::nowhere::f();").len(), 1);
    assert_eq!(violations("model", "f", "use super::super::engine;").len(), 1);
    assert!(violations("model", "f", "use attrition_crate::engine::x;").is_empty());
    assert_eq!(violations("newcomer", "f", "").len(), 1);
}
