//! Where each part of a bundled document was written: JSON pointer → file, line
//! and column, for error messages and reports.
//!
//! Positions are found only when asked for (an error or a report needs one): a
//! JSON file is scanned in place with [`seam_core::json_at`]; a YAML file's
//! parser events are walked once, on the first question about it, into an index
//! of every node's place. A pointer with no exact place (inside an alias, or
//! past the end of what was written) is put at its nearest written ancestor.

use crate::model::SpecError;
use seam_core::json_at;
use seam_core::source::{Location, SourceError};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The source files of a spec and how to find a pointer's place in them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The root file, as named on the command line.
    pub root: String,
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, Default)]
struct Inner {
    files: Vec<SourceFile>,
    /// Which part of the bundled document came from where, longest prefix wins.
    mounts: Vec<Mount>,
}

#[derive(Debug, Clone)]
struct SourceFile {
    name: String,
    text: String,
    json: bool,
    /// Every node's pointer (no `#`) → 1-based line and column, built on the
    /// first question about the file.
    index: OnceLock<HashMap<String, (usize, usize)>>,
}

#[derive(Debug, Clone)]
struct Mount {
    /// A pointer prefix in the bundled document, without `#` (`""` is the root).
    at: String,
    file: usize,
    /// The pointer in that file the prefix stands for, without `#`.
    pointer: String,
}

/// Where a bundled pointer was written: the file's name, the pointer in that
/// file (with `#`) and the line and column when found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub pointer: String,
    pub line_column: Option<(usize, usize)>,
}

impl Sources {
    /// Sources with no file yet; `root` names the spec in messages.
    pub fn new(root: impl Into<String>) -> Self {
        Sources {
            root: root.into(),
            inner: Arc::default(),
        }
    }

    /// Sources of a one-file spec: the whole document is `text`, read from `file`.
    pub fn single(file: &str, text: &str) -> Self {
        let mut sources = Sources::new(file);
        let f = sources.add_file(file, text.to_string());
        sources.mount("", f, "");
        sources
    }

    /// Adds a source file; the number names it in [`Sources::mount`].
    pub fn add_file(&mut self, name: &str, text: String) -> usize {
        let inner = Arc::make_mut(&mut self.inner);
        let json = looks_like_json(&text);
        inner.files.push(SourceFile {
            name: name.to_string(),
            text,
            json,
            index: OnceLock::new(),
        });
        inner.files.len() - 1
    }

    /// Says that the bundled document's part at pointer `at` was written in
    /// `file` at `pointer` (both with or without the leading `#`).
    pub fn mount(&mut self, at: &str, file: usize, pointer: &str) {
        let inner = Arc::make_mut(&mut self.inner);
        inner.mounts.push(Mount {
            at: at.trim_start_matches('#').to_string(),
            file,
            pointer: pointer.trim_start_matches('#').to_string(),
        });
    }

    /// The files read, root first.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.inner.files.iter().map(|f| f.name.as_str())
    }

    /// Where a pointer into the bundled document was written.
    pub fn place(&self, pointer: &str) -> Place {
        let pointer = pointer.trim_start_matches('#');
        let mount = self
            .inner
            .mounts
            .iter()
            .filter(|m| {
                pointer == m.at
                    || (pointer.starts_with(&m.at) && pointer[m.at.len()..].starts_with('/'))
            })
            .max_by_key(|m| m.at.len());
        let Some(mount) = mount else {
            return Place {
                file: self.root.clone(),
                pointer: shown(pointer),
                line_column: None,
            };
        };
        let in_file = format!("{}{}", mount.pointer, &pointer[mount.at.len()..]);
        let Some(file) = self.inner.files.get(mount.file) else {
            return Place {
                file: self.root.clone(),
                pointer: shown(&in_file),
                line_column: None,
            };
        };
        Place {
            file: file.name.clone(),
            line_column: file.line_column(&in_file),
            pointer: shown(&in_file),
        }
    }

    /// `file:line:col` of a pointer into the bundled document, or the file alone
    /// when the place is not known.
    pub fn describe(&self, pointer: &str) -> String {
        let place = self.place(pointer);
        match place.line_column {
            Some((line, column)) => format!("{}:{line}:{column}", place.file),
            None => place.file,
        }
    }

    /// An error at a pointer into the bundled document, placed in its file.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> SpecError {
        let place = self.place(pointer);
        SpecError {
            at: SourceError::new(
                place.file,
                place.line_column.map(|(l, c)| Location::at(l, c)),
                message,
            ),
            pointer: place.pointer,
        }
    }
}

/// A pointer as errors show it: `#/a/b`, or nothing for the whole document.
fn shown(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!("#{pointer}")
    }
}

/// Whether a document's text is JSON (its first character opens an object or array).
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(
        seam_core::source::strip_bom(text)
            .trim_start()
            .as_bytes()
            .first(),
        Some(b'{' | b'[')
    )
}

/// The tokens of a JSON pointer (no `#`), unescaped.
pub(crate) fn tokens(pointer: &str) -> Vec<String> {
    let pointer = pointer.trim_start_matches('#');
    if pointer.is_empty() {
        return vec![];
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

impl SourceFile {
    /// 1-based line and column of a pointer (no `#`) in this file, or of its
    /// nearest written ancestor.
    fn line_column(&self, pointer: &str) -> Option<(usize, usize)> {
        let index = self.index.get_or_init(|| {
            if self.json {
                json_index(&self.text)
            } else {
                yaml_index(&self.text)
            }
        });
        let mut p = pointer;
        loop {
            if let Some(&at) = index.get(p) {
                return Some(at);
            }
            match p.rfind('/') {
                Some(cut) => p = &p[..cut],
                None => return None,
            }
        }
    }
}

/// Turns increasing byte offsets into 1-based lines and columns (in
/// characters) in one pass over the text, however many offsets are asked.
struct Cursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn at(&mut self, offset: usize) -> (usize, usize) {
        if offset >= self.offset {
            let stop = offset.min(self.text.len());
            let mut cut = stop;
            while !self.text.is_char_boundary(cut) {
                cut -= 1;
            }
            for c in self.text[self.offset.min(cut)..cut].chars() {
                if c == '\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
            }
            self.offset = cut.max(self.offset);
        }
        (self.line, self.column)
    }
}

/// Every value of a JSON text by pointer, placed where the value starts, in
/// one scan (the text is not parsed into a tree). Text that does not scan
/// indexes what came before the problem.
fn json_index(text: &str) -> HashMap<String, (usize, usize)> {
    fn walk(
        text: &str,
        i: usize,
        path: &mut String,
        out: &mut HashMap<String, (usize, usize)>,
        cursor: &mut Cursor<'_>,
    ) -> Option<usize> {
        let b = text.as_bytes();
        out.insert(path.clone(), cursor.at(i));
        match *b.get(i)? {
            b'{' => {
                let mut i = json_at::skip_ws(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    return Some(i + 1);
                }
                loop {
                    if b.get(i) != Some(&b'"') {
                        return None;
                    }
                    let end = json_at::string_end(b, i)?;
                    let raw = &text[i + 1..end - 1];
                    let key = if raw.contains('\\') {
                        serde_json::from_str::<String>(&text[i..end]).ok()?
                    } else {
                        raw.to_string()
                    };
                    i = json_at::skip_ws(b, end);
                    if b.get(i) != Some(&b':') {
                        return None;
                    }
                    i = json_at::skip_ws(b, i + 1);
                    let len = path.len();
                    path.push('/');
                    path.push_str(&crate::model::escape_token(&key));
                    let after = walk(text, i, path, out, cursor);
                    path.truncate(len);
                    i = json_at::skip_ws(b, after?);
                    match b.get(i)? {
                        b',' => i = json_at::skip_ws(b, i + 1),
                        b'}' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut i = json_at::skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    return Some(i + 1);
                }
                let mut n = 0usize;
                loop {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&n.to_string());
                    let after = walk(text, i, path, out, cursor);
                    path.truncate(len);
                    n += 1;
                    i = json_at::skip_ws(b, after?);
                    match b.get(i)? {
                        b',' => i = json_at::skip_ws(b, i + 1),
                        b']' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            _ => json_at::value_end(b, i),
        }
    }
    let mut out = HashMap::new();
    let bom = text.len() - seam_core::source::strip_bom(text).len();
    let mut cursor = Cursor {
        text,
        offset: bom,
        line: 1,
        column: 1 + usize::from(bom > 0),
    };
    let start = json_at::skip_ws(text.as_bytes(), bom);
    let _ = walk(text, start, &mut String::new(), &mut out, &mut cursor);
    out
}

/// Every node of a YAML text by pointer: a mapping value is placed at its key,
/// a sequence item at the item. Text that does not parse indexes what came
/// before the problem.
fn yaml_index(text: &str) -> HashMap<String, (usize, usize)> {
    use granit_parser::{Event, Parser};

    enum Frame {
        /// A mapping: the pointer, and the key just read (None: a key is next).
        Map(String, Option<String>),
        /// A sequence: the pointer and the next item's index.
        Seq(String, usize),
    }

    let mut index = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut key_at: (usize, usize) = (1, 1);
    let mut root_seen = false;
    let mut parser = Parser::new_from_str(seam_core::source::strip_bom(text));
    let bom_column = usize::from(text.starts_with('\u{feff}'));
    while let Some(Ok((event, span))) = parser.next_event() {
        let here = (
            span.start.line(),
            span.start.col()
                + 1
                + if span.start.line() == 1 {
                    bom_column
                } else {
                    0
                },
        );
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
            stack.pop();
            continue;
        }
        if !is_node {
            continue;
        }
        // Where this node sits, or None when it is a mapping key.
        let path = match stack.last_mut() {
            None if !root_seen => {
                root_seen = true;
                index.insert(String::new(), here);
                Some(String::new())
            }
            None => None,
            Some(Frame::Map(base, key)) => match key.take() {
                None => {
                    let k = match &event {
                        Event::Scalar(v, ..) => v.to_string(),
                        _ => String::new(),
                    };
                    *key = Some(k);
                    key_at = here;
                    // A complex key's own children go under a base no pointer has.
                    match event {
                        Event::MappingStart(..) => stack.push(Frame::Map("\0".into(), None)),
                        Event::SequenceStart(..) => stack.push(Frame::Seq("\0".into(), 0)),
                        _ => {}
                    }
                    continue;
                }
                Some(k) => {
                    let p = crate::model::pointer_join(base, &k);
                    index.insert(p.clone(), key_at);
                    Some(p)
                }
            },
            Some(Frame::Seq(base, n)) => {
                let p = format!("{base}/{n}");
                *n += 1;
                index.insert(p.clone(), here);
                Some(p)
            }
        };
        let Some(path) = path else { continue };
        match event {
            Event::MappingStart(..) => stack.push(Frame::Map(path, None)),
            Event::SequenceStart(..) => stack.push(Frame::Seq(path, 0)),
            _ => {}
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_pointers_are_placed_at_their_keys() {
        let text = "openapi: 3.0.3\npaths:\n  /pets/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n";
        let s = Sources::single("api.yaml", text);
        assert_eq!(s.describe("#/paths/~1pets~1{id}/get"), "api.yaml:4:5");
        assert_eq!(
            s.describe("#/paths/~1pets~1{id}/get/parameters/0"),
            "api.yaml:6:11"
        );
        assert_eq!(
            s.describe("#/paths/~1pets~1{id}/get/parameters/0/in"),
            "api.yaml:7:11"
        );
        // Not written: the nearest ancestor.
        assert_eq!(
            s.describe("#/paths/~1pets~1{id}/get/responses"),
            "api.yaml:4:5"
        );
        assert_eq!(s.describe(""), "api.yaml:1:1");
    }

    #[test]
    fn json_pointers_are_placed_at_their_values() {
        let text = "{\n  \"paths\": {\n    \"/a\": {\"get\": {\"tags\": [\"x\", \"y\"]}}\n  }\n}";
        let s = Sources::single("api.json", text);
        assert_eq!(s.describe("#/paths/~1a/get"), "api.json:3:19");
        assert_eq!(s.describe("#/paths/~1a/get/tags/1"), "api.json:3:34");
        assert_eq!(s.describe("#/paths/~1a/post"), "api.json:3:11");
        let e = s.error("#/paths/~1a", "bad");
        assert_eq!(e.to_string(), "api.json:3:11: #/paths/~1a: bad");
    }

    #[test]
    fn json_index_reads_escaped_keys_a_bom_and_one_long_line() {
        let text = "\u{feff}{\"a\\\"b\": [1, {\"c/d\": true}], \"é\": {\"x\": null}}";
        let s = Sources::single("m.json", text);
        assert_eq!(s.describe("#/a\"b/1/c~1d"), "m.json:1:23");
        assert_eq!(s.describe("#/é/x"), "m.json:1:42");
        assert_eq!(s.describe("#/é/y"), "m.json:1:36");
        // Many questions about one minified document cost one scan.
        let big = format!(
            "{{\"items\": [{}]}}",
            vec!["{\"k\": \"v\"}"; 20_000].join(",")
        );
        let s = Sources::single("big.json", &big);
        for i in (0..20_000).step_by(7) {
            assert_eq!(
                s.describe(&format!("#/items/{i}/k")),
                format!("big.json:1:{}", 12 + 11 * i + 6)
            );
        }
    }

    #[test]
    fn mounts_map_bundled_pointers_to_their_files() {
        let mut s = Sources::new("root.yaml");
        let root = s.add_file("root.yaml", "openapi: 3.1.0\n".into());
        let pet = s.add_file(
            "pet.yaml",
            "type: object\nproperties:\n  id: {type: integer}\n".into(),
        );
        s.mount("", root, "");
        s.mount("#/components/schemas/Pet", pet, "");
        let e = s.error("#/components/schemas/Pet/properties/id", "x");
        assert_eq!(e.to_string(), "pet.yaml:3:3: #/properties/id: x");
        // A prefix only counts at a token boundary.
        assert_eq!(
            s.place("#/components/schemas/Pets").file,
            "root.yaml".to_string()
        );
    }

    #[test]
    fn garbled_text_never_panics() {
        for text in [
            "{",
            "a: [",
            "\u{feff}- : :",
            "{\"a\": [1, 2",
            "? [a]\n: b\nc: d\n",
        ] {
            let s = Sources::single("x", text);
            let _ = s.describe("#/a/1/b");
            let _ = s.describe("");
        }
    }
}
