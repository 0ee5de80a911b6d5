//! A problem at file, line and column, with a fix; a parsed file that can tell where a key
//! path stands.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in an input file (scenario, strategies, suite, calibration, `--set`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file the offending key is written in.
    pub file: PathBuf,
    /// 1-based line, 0 when the key is absent from every file (a missing key).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted key path, e.g. `shock.2.approval.us`.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// True when the problem is in a `--set PATH=VALUE` (its `file` is that flag).
    #[must_use]
    pub fn is_at_set(&self) -> bool {
        self.file.to_string_lossy().starts_with(SET_PREFIX)
    }
}

/// How a problem in a `--set` names its place: `--set PATH=VALUE`.
pub const SET_PREFIX: &str = "--set ";

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        } else {
            write!(f, "{}: ", self.file.display())?;
        }
        write!(f, "`{}`: {}", self.key, self.message)?;
        if !self.fix.is_empty() {
            write!(f, "\n    fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// `" (did you mean `x`?)"` for the closest candidate, or `""` when nothing is close.
#[must_use]
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, c)| *score > 0.8 && *c != word)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// A parsed source file that can tell where a key path stands.
#[derive(Clone, Debug)]
pub struct Located {
    /// Path of the file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    doc: toml_edit::Document<String>,
}

impl Located {
    /// Parses `text` for locating keys; the caller has already checked its syntax.
    #[must_use]
    pub fn new(path: &Path, text: String) -> Option<Self> {
        let doc = text.parse::<toml_edit::Document<String>>().ok()?;
        Some(Self {
            path: path.to_owned(),
            text,
            doc,
        })
    }

    /// (line, column) of the deepest part of `key` present in this file, and whether the whole
    /// path was found.
    #[must_use]
    pub fn locate(&self, key: &str) -> Option<(usize, usize, bool)> {
        let mut node = Node::Table(self.doc.as_table());
        let mut span = None;
        let mut complete = true;
        for part in key.split('.').filter(|p| !p.is_empty()) {
            let Some((next, here)) = node.child(part) else {
                complete = false;
                break;
            };
            if here.is_some() {
                span = here;
            }
            node = next;
        }
        let span = span?;
        let (line, col) = line_col(&self.text, span.start);
        Some((line, col, complete))
    }

    /// True when `key` is written in this file.
    #[must_use]
    pub fn defines(&self, key: &str) -> bool {
        self.locate(key).is_some_and(|(_, _, complete)| complete)
    }
}

/// A position in a parsed TOML document.
enum Node<'a> {
    Table(&'a toml_edit::Table),
    Inline(&'a toml_edit::InlineTable),
    Array(&'a toml_edit::Array),
    Tables(&'a toml_edit::ArrayOfTables),
    Leaf,
}

impl<'a> Node<'a> {
    fn of_item(item: &'a toml_edit::Item) -> Self {
        match item {
            toml_edit::Item::Table(t) => Node::Table(t),
            toml_edit::Item::ArrayOfTables(a) => Node::Tables(a),
            toml_edit::Item::Value(v) => Node::of_value(v),
            toml_edit::Item::None => Node::Leaf,
        }
    }

    fn of_value(v: &'a toml_edit::Value) -> Self {
        match v {
            toml_edit::Value::InlineTable(t) => Node::Inline(t),
            toml_edit::Value::Array(a) => Node::Array(a),
            _ => Node::Leaf,
        }
    }

    /// The child named `part` and the span that best points at it (its key, else its value).
    fn child(&self, part: &str) -> Option<(Node<'a>, Option<std::ops::Range<usize>>)> {
        match self {
            Node::Table(t) => {
                let item = t.get(part)?;
                let span = t
                    .key(part)
                    .and_then(toml_edit::Key::span)
                    .or_else(|| item.span());
                Some((Node::of_item(item), span))
            }
            Node::Inline(t) => {
                let v = t.get(part)?;
                let span = t
                    .key(part)
                    .and_then(toml_edit::Key::span)
                    .or_else(|| v.span());
                Some((Node::of_value(v), span))
            }
            Node::Array(a) => {
                let v = a.get(part.parse().ok()?)?;
                Some((Node::of_value(v), v.span()))
            }
            Node::Tables(a) => {
                let t = a.get(part.parse().ok()?)?;
                Some((Node::Table(t), t.span()))
            }
            Node::Leaf => None,
        }
    }
}

/// 1-based line and column of a byte offset.
#[must_use]
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
