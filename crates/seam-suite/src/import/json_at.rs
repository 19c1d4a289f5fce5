//! JSON documents read with their place at hand: every value an importer looks
//! at carries its JSON path (`$.item[2].request.url`), and a value of the wrong
//! type is an error at that path with the line and column it starts at (found
//! by walking the source text along the path, only when there is an error).

use seam_core::json_at::{locate_steps, Step as Seg};
use seam_core::source::kind_of as kind;
use seam_core::source::{decode_text, Location, SourceError};
use serde_json::{Map, Value};
use std::fmt::Write;

/// A parsed JSON file: its name, text and value.
#[derive(Debug)]
pub struct Doc {
    file: String,
    text: String,
    root: Value,
}

/// A value in a [`Doc`] and where it is.
#[derive(Debug, Clone)]
pub struct At<'d> {
    pub v: &'d Value,
    path: Vec<Seg>,
}

/// A value of the wrong type (or missing) at a path; [`Doc::error`] places it.
#[derive(Debug, Clone)]
pub struct Bad {
    path: Vec<Seg>,
    message: String,
}

impl Doc {
    /// Decodes (a UTF-8 BOM is accepted) and parses `bytes`; syntax errors
    /// carry their line and column.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Doc, SourceError> {
        let text = decode_text(bytes).map_err(|e| e.in_file(file))?;
        let root = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => &message[..i],
                None => &message,
            };
            SourceError::new(
                file,
                Some(Location::at(e.line(), e.column().max(1))),
                format!("invalid JSON: {message}"),
            )
        })?;
        Ok(Doc {
            file: file.to_string(),
            text: text.to_string(),
            root,
        })
    }

    /// The file's name as the user gave it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The top-level value.
    pub fn root(&self) -> At<'_> {
        At {
            v: &self.root,
            path: Vec::new(),
        }
    }

    /// `bad` as an error in this file, at its line and column when found.
    pub fn error(&self, bad: Bad) -> SourceError {
        let path = path_text(&bad.path);
        let at = match locate_steps(&self.text, &bad.path) {
            Some(offset) => {
                let before = &self.text[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                Location::LineColumnPath { line, column, path }
            }
            None => Location::Path(path),
        };
        SourceError::new(&self.file, Some(at), bad.message)
    }
}

fn path_text(path: &[Seg]) -> String {
    let mut s = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                let _ = write!(s, ".{k}");
            }
            Seg::Key(k) => {
                let _ = write!(s, "[{}]", Value::String(k.clone()));
            }
            Seg::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    s
}

impl<'d> At<'d> {
    /// This value's JSON path.
    pub fn path(&self) -> String {
        path_text(&self.path)
    }

    /// An error at this value.
    pub fn bad(&self, message: impl Into<String>) -> Bad {
        Bad {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    fn expected(&self, what: &str) -> Bad {
        self.bad(format!("expected {what}, found {}", kind(self.v)))
    }

    /// A member (absent and `null` are both `None`: exports write `null` for unset).
    pub fn get(&self, key: &str) -> Option<At<'d>> {
        let v = self.v.as_object()?.get(key)?;
        if v.is_null() {
            return None;
        }
        let mut path = self.path.clone();
        path.push(Seg::Key(key.to_string()));
        Some(At { v, path })
    }

    /// This value as an object.
    pub fn object(&self) -> Result<&'d Map<String, Value>, Bad> {
        self.v.as_object().ok_or_else(|| self.expected("an object"))
    }

    /// This value as a string.
    pub fn str(&self) -> Result<&'d str, Bad> {
        self.v.as_str().ok_or_else(|| self.expected("a string"))
    }

    /// This value's elements, each with its path.
    pub fn items(&self) -> Result<Vec<At<'d>>, Bad> {
        let a = self.v.as_array().ok_or_else(|| self.expected("an array"))?;
        Ok(a.iter()
            .enumerate()
            .map(|(i, v)| {
                let mut path = self.path.clone();
                path.push(Seg::Index(i));
                At { v, path }
            })
            .collect())
    }

    /// An optional string member.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'d str>, Bad> {
        self.get(key).map(|v| v.str()).transpose()
    }

    /// An optional boolean member.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, Bad> {
        self.get(key)
            .map(|v| v.v.as_bool().ok_or_else(|| v.expected("true or false")))
            .transpose()
    }

    /// An optional array member's elements (none when absent).
    pub fn opt_items(&self, key: &str) -> Result<Vec<At<'d>>, Bad> {
        Ok(match self.get(key) {
            Some(v) => v.items()?,
            None => Vec::new(),
        })
    }

    /// A required member.
    pub fn need(&self, key: &str) -> Result<At<'d>, Bad> {
        self.object()?;
        self.get(key)
            .ok_or_else(|| self.bad(format!("`{key}` is missing")))
    }

    /// A scalar as text (strings as they are, numbers and booleans written out).
    pub fn scalar(&self) -> Result<String, Bad> {
        match self.v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(self.expected("a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_placed_at_their_line_and_column() {
        let text = "\u{feff}{\n  \"item\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\", \"request\": 5}\n  ]\n}";
        let doc = Doc::parse("c.json", text.as_bytes()).unwrap();
        let items = doc.root().get("item").unwrap().items().unwrap();
        let req = items[1].get("request").unwrap();
        let e = doc.error(req.object().unwrap_err());
        assert_eq!(
            e.to_string(),
            "c.json:4:30: at $.item[1].request: expected an object, found a number"
        );
        let missing = doc.error(items[0].need("request").unwrap_err());
        assert_eq!(
            missing.to_string(),
            "c.json:3:5: at $.item[0]: `request` is missing"
        );
    }

    #[test]
    fn keys_with_escapes_and_odd_names_are_found() {
        let text = r#"{"a\"b": {"x y": [1, {"k": "v,}]"}, true]}}"#;
        let doc = Doc::parse("d.json", text.as_bytes()).unwrap();
        let v = doc
            .root()
            .get("a\"b")
            .unwrap()
            .get("x y")
            .unwrap()
            .items()
            .unwrap();
        let e = doc.error(v[2].str().unwrap_err());
        assert_eq!(
            e.to_string(),
            "d.json:1:37: at $[\"a\\\"b\"][\"x y\"][2]: expected a string, found a boolean"
        );
    }

    #[test]
    fn syntax_errors_have_a_position_and_no_library_wording() {
        let e = Doc::parse("e.json", b"{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.at, Some(Location::at(3, 1)));
        assert!(e.message.starts_with("invalid JSON: "), "{e}");
        assert!(!e.message.contains(" at line "), "{e}");
        let bad = Doc::parse("f.json", b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(bad.to_string().starts_with("f.json:1:8: "), "{bad}");
    }
}
