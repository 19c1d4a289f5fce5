//! Mutations of one value under its schema: the deterministic walk the
//! coverage phase makes (boundaries and one past them, each wrong type, null,
//! empty, enum neighbours, broken formats and patterns, numeric extremes,
//! long strings, huge arrays, unicode edge cases, injection strings, missing
//! and unexpected properties), and the schema seen at any node of a value
//! (`$ref`s followed, `allOf` merged, the `oneOf`/`anyOf` branch the value
//! fits). Whether a mutant is valid is not decided here: the run asks the
//! spec ([`crate::case::judge`]).

use serde_json::{json, Map, Number, Value};

/// A step into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// One mutant: where, the new value (`None`: the node removed), and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutant {
    pub at: Vec<Step>,
    pub value: Option<Value>,
    pub what: String,
}

/// `body.items[0].qty` for `at` under `root`.
pub fn describe_at(root: &str, at: &[Step]) -> String {
    let mut out = root.to_string();
    for s in at {
        match s {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// `value` with the mutant applied.
pub fn apply(value: &Value, m: &Mutant) -> Value {
    let mut out = value.clone();
    if m.at.is_empty() {
        return m.value.clone().unwrap_or(Value::Null);
    }
    let (last, parents) = m.at.split_last().expect("not empty");
    let mut node = &mut out;
    for s in parents {
        node = match (s, node) {
            (Step::Key(k), Value::Object(o)) => match o.get_mut(k) {
                Some(n) => n,
                None => return out,
            },
            (Step::Index(i), Value::Array(a)) => match a.get_mut(*i) {
                Some(n) => n,
                None => return out,
            },
            _ => return out,
        };
    }
    match (last, node, &m.value) {
        (Step::Key(k), Value::Object(o), Some(v)) => {
            o.insert(k.clone(), v.clone());
        }
        (Step::Key(k), Value::Object(o), None) => {
            o.shift_remove(k);
        }
        (Step::Index(i), Value::Array(a), Some(v)) if *i < a.len() => a[*i] = v.clone(),
        (Step::Index(i), Value::Array(a), None) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
    out
}

/// Strings that probe how input reaches interpreters: SQL, NoSQL, shell, path
/// traversal, templates, CRLF and format strings.
pub const INJECTIONS: &[(&str, &str)] = &[
    ("SQL injection", "' OR '1'='1' --"),
    ("SQL injection", "1; DROP TABLE users; --"),
    ("NoSQL injection", "{\"$gt\": \"\"}"),
    ("shell injection", "$(id); `id`; | id"),
    ("path traversal", "../../../../etc/passwd"),
    ("template injection", "{{7*7}}${7*7}<%= 7*7 %>"),
    ("CRLF injection", "x\r\nX-Injected: 1"),
    ("format string", "%s%s%s%n%x"),
    ("markup", "<script>alert(1)</script>"),
];

/// Unicode edge cases: RTL override, NUL, zero-width, combining, emoji,
/// a 4-byte character, non-characters.
pub const UNICODE: &[(&str, &str)] = &[
    ("right-to-left override", "\u{202E}abc"),
    ("NUL byte", "a\u{0}b"),
    ("zero-width space", "\u{200B}"),
    ("combining marks", "e\u{301}\u{302}\u{303}"),
    ("emoji", "\u{1F600}\u{1F469}\u{200D}\u{1F4BB}"),
    ("non-character", "\u{FFFF}\u{FFFE}"),
];

/// Invalid text for a string format.
fn broken_format(format: &str) -> Option<&'static str> {
    Some(match format {
        "date" => "2024-02-30",
        "date-time" => "2024-13-01T25:61:00",
        "time" => "25:61:00",
        "email" => "not-an-email",
        "uuid" => "123e4567-e89b-12d3-a456-42661417400Z",
        "uri" | "url" => "not a uri",
        "ipv4" => "256.1.1.1",
        "ipv6" => "12345::",
        "hostname" => "-bad-.example..com",
        "byte" => "!!not base64!!",
        "int32" | "int64" => "1.5",
        _ => return None,
    })
}

/// Text that fails most patterns (they rarely allow all of these at once).
const PATTERN_BREAKERS: &[&str] = &["~!@#", " ", "\u{00e9}\u{00e9}"];

/// The merged view of a schema: `$ref`s followed, `allOf` parts folded in,
/// and for a `oneOf`/`anyOf` the branch `value` fits best (when given).
pub fn view(doc: &Value, schema: &Value, value: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    fold(doc, schema, value, &mut out, 0);
    out
}

fn fold(
    doc: &Value,
    schema: &Value,
    value: Option<&Value>,
    into: &mut Map<String, Value>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some(obj) = resolve(doc, schema).and_then(Value::as_object) else {
        return;
    };
    for (k, v) in obj {
        match k.as_str() {
            "$ref" => {}
            "allOf" => {
                for part in v.as_array().into_iter().flatten() {
                    fold(doc, part, value, into, depth + 1);
                }
            }
            "oneOf" | "anyOf" => {
                if let Some(branch) = pick_branch(doc, v, value) {
                    fold(doc, branch, value, into, depth + 1);
                }
            }
            "properties" => {
                let props = into
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let (Some(p), Some(add)) = (props.as_object_mut(), v.as_object()) {
                    for (name, s) in add {
                        p.entry(name.clone()).or_insert_with(|| s.clone());
                    }
                }
            }
            "required" => {
                let req = into
                    .entry("required")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let (Some(r), Some(add)) = (req.as_array_mut(), v.as_array()) {
                    for name in add {
                        if !r.contains(name) {
                            r.push(name.clone());
                        }
                    }
                }
            }
            _ => {
                into.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// A local `$ref`'s target, followed until a schema that is not a bare reference.
pub fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..64 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => schema = doc.pointer(r.strip_prefix('#')?)?,
            None => return Some(schema),
        }
    }
    None
}

/// The branch of a union a value fits: the first whose required properties
/// are all present and whose type agrees, else the first.
fn pick_branch<'a>(
    doc: &'a Value,
    branches: &'a Value,
    value: Option<&Value>,
) -> Option<&'a Value> {
    let branches = branches.as_array()?;
    let fits = |b: &&Value| {
        let Some(value) = value else { return true };
        let v = view(doc, b, None);
        let type_ok = match v.get("type").and_then(Value::as_str) {
            Some(t) => type_of(value) == t || (t == "number" && value.is_number()),
            None => true,
        };
        let required_ok = v
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .all(|name| value.get(name).is_some());
        type_ok && required_ok
    };
    branches.iter().find(fits).or_else(|| branches.first())
}

/// The JSON Schema type name of a value.
pub fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Limits on the mutants of one walk.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Nodes visited at most (wide bodies are walked to this many).
    pub nodes: usize,
    /// Whether a 1 MB string and a 100,000-item array may be made (once per walk).
    pub huge: bool,
}

/// Every mutant of `value` (valid under `schema`, a schema in `doc`), node by
/// node, in document order.
pub fn mutants(doc: &Value, schema: &Value, value: &Value, budget: Budget) -> Vec<Mutant> {
    let mut w = Walk {
        doc,
        out: Vec::new(),
        visited: 0,
        budget,
        made_long: false,
        made_huge: false,
    };
    w.node(schema, value, &mut Vec::new());
    w.out
}

struct Walk<'a> {
    doc: &'a Value,
    out: Vec<Mutant>,
    visited: usize,
    budget: Budget,
    made_long: bool,
    made_huge: bool,
}

impl Walk<'_> {
    fn push(&mut self, at: &[Step], value: Option<Value>, what: impl Into<String>) {
        self.out.push(Mutant {
            at: at.to_vec(),
            value,
            what: what.into(),
        });
    }

    fn node(&mut self, schema: &Value, value: &Value, at: &mut Vec<Step>) {
        self.visited += 1;
        if self.visited > self.budget.nodes || at.len() > 12 {
            return;
        }
        let s = view(self.doc, schema, Some(value));
        // every other type, and null
        let wrong: [(&str, Value); 7] = [
            ("null", Value::Null),
            ("boolean", Value::Bool(true)),
            ("integer", json!(0)),
            ("number", json!(1.5)),
            ("string", json!("seam")),
            ("array", json!([])),
            ("object", json!({})),
        ];
        let own = type_of(value);
        for (name, v) in wrong {
            if name == own || (own == "integer" && name == "number") {
                continue;
            }
            self.push(at, Some(v), format!("{name} instead of {}", article(own)));
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            for n in enum_neighbours(e) {
                self.push(at, Some(n.clone()), format!("{n} (not in the enum)"));
            }
        }
        if let Some(c) = s.get("const") {
            if let Some(n) = enum_neighbours(std::slice::from_ref(c)).into_iter().next() {
                self.push(at, Some(n.clone()), format!("{n} (not the const)"));
            }
        }
        match value {
            Value::Number(_) => self.number(&s, at, own == "integer"),
            Value::String(text) => self.string(&s, text, at),
            Value::Array(items) => self.array(&s, items, at),
            Value::Object(props) => self.object(&s, props, at),
            _ => {}
        }
    }

    fn number(&mut self, s: &Map<String, Value>, at: &[Step], integer: bool) {
        let get = |k: &str| s.get(k).and_then(Value::as_f64);
        let step = if integer { 1.0 } else { 0.5 };
        let bound = |this: &mut Self, x: f64, what: &str| {
            if let Some(v) = num(x, integer) {
                this.push(at, Some(v), format!("{x} ({what})"));
            }
        };
        // 3.0 writes exclusive bounds as booleans beside minimum/maximum
        let excl_min = s.get("exclusiveMinimum");
        let excl_max = s.get("exclusiveMaximum");
        if let Some(min) = get("minimum") {
            if excl_min == Some(&Value::Bool(true)) {
                bound(self, min, "the exclusive minimum");
            } else {
                bound(self, min, "the minimum");
                bound(self, min - step, "below the minimum");
            }
        }
        if let Some(min) = excl_min.and_then(Value::as_f64) {
            bound(self, min, "the exclusive minimum");
        }
        if let Some(max) = get("maximum") {
            if excl_max == Some(&Value::Bool(true)) {
                bound(self, max, "the exclusive maximum");
            } else {
                bound(self, max, "the maximum");
                bound(self, max + step, "above the maximum");
            }
        }
        if let Some(max) = excl_max.and_then(Value::as_f64) {
            bound(self, max, "the exclusive maximum");
        }
        if let Some(m) = get("multipleOf") {
            bound(self, m * 1.5, "not a multiple of the multipleOf");
        }
        bound(self, 0.0, "zero");
        bound(self, -1.0, "negative");
        self.push(
            at,
            Some(json!(9_007_199_254_740_993u64)),
            "2^53+1 (beyond exact doubles)",
        );
        self.push(
            at,
            Some(json!(-9_223_372_036_854_775_808i64)),
            "the smallest 64-bit integer",
        );
        self.push(
            at,
            Some(json!(18_446_744_073_709_551_615u64)),
            "the largest unsigned 64-bit integer",
        );
        if integer {
            // integral, so an integer to JSON Schema, but past any 64-bit type
            self.push(at, Some(json!(1e20)), "1e20 (an integer beyond 64 bits)");
        } else {
            self.push(at, Some(json!(-0.0)), "-0");
            self.push(at, Some(json!(1e308)), "1e308");
            self.push(at, Some(json!(-1e308)), "-1e308");
        }
    }

    fn string(&mut self, s: &Map<String, Value>, text: &str, at: &[Step]) {
        let len = |k: &str| s.get(k).and_then(Value::as_u64).map(|n| n as usize);
        let base: String = text.chars().next().map(String::from).unwrap_or("a".into());
        if let Some(min) = len("minLength") {
            self.push(
                at,
                Some(json!(base.repeat(min))),
                format!("{min} characters (the minLength)"),
            );
            if min > 0 {
                self.push(
                    at,
                    Some(json!(base.repeat(min - 1))),
                    format!("{} characters (below the minLength {min})", min - 1),
                );
            }
        }
        if let Some(max) = len("maxLength").filter(|m| *m < 100_000) {
            self.push(
                at,
                Some(json!(base.repeat(max))),
                format!("{max} characters (the maxLength)"),
            );
            self.push(
                at,
                Some(json!(base.repeat(max + 1))),
                format!("{} characters (above the maxLength {max})", max + 1),
            );
        }
        self.push(at, Some(json!("")), "the empty string");
        if let Some(f) = s
            .get("format")
            .and_then(Value::as_str)
            .and_then(broken_format)
        {
            self.push(
                at,
                Some(json!(f)),
                format!("{f:?} (not a valid {})", s["format"].as_str().unwrap_or("")),
            );
        }
        if s.contains_key("pattern") {
            for b in PATTERN_BREAKERS {
                self.push(at, Some(json!(b)), format!("{b:?} (against the pattern)"));
            }
        }
        for (what, text) in INJECTIONS.iter().chain(UNICODE) {
            self.push(at, Some(json!(text)), format!("{what} ({text:?})"));
        }
        if self.budget.huge && !self.made_long {
            self.made_long = true;
            self.push(at, Some(json!("A".repeat(1 << 20))), "a 1 MB string");
        }
    }

    fn array(&mut self, s: &Map<String, Value>, items: &[Value], at: &mut Vec<Step>) {
        let len = |k: &str| s.get(k).and_then(Value::as_u64).map(|n| n as usize);
        let first = items.first().cloned().unwrap_or(Value::Null);
        self.push(at, Some(json!([])), "an empty array");
        if let Some(min) = len("minItems").filter(|m| *m > 0 && *m < 10_000) {
            self.push(
                at,
                Some(Value::Array(vec![first.clone(); min - 1])),
                format!("{} items (below the minItems {min})", min - 1),
            );
        }
        if let Some(max) = len("maxItems").filter(|m| *m < 10_000) {
            self.push(
                at,
                Some(Value::Array(vec![first.clone(); max + 1])),
                format!("{} items (above the maxItems {max})", max + 1),
            );
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) && !items.is_empty() {
            self.push(
                at,
                Some(json!([first.clone(), first.clone()])),
                "a repeated item (uniqueItems)",
            );
        }
        if self.budget.huge && !self.made_huge && !items.is_empty() {
            self.made_huge = true;
            // the first item when it is a short scalar, else the emptiest
            // value of its type: 100,000 objects of a few fields would be
            // hundreds of MB in memory and tens on the wire
            let item = match first {
                Value::Object(_) => json!({}),
                Value::Array(_) => json!([]),
                Value::String(s) if s.len() > 16 => json!(""),
                other => other,
            };
            self.push(at, Some(Value::Array(vec![item; 100_000])), "100,000 items");
        }
        let item_schema = s.get("items").cloned().unwrap_or(Value::Bool(true));
        for (i, item) in items.iter().enumerate().take(2) {
            at.push(Step::Index(i));
            self.node(&item_schema, item, at);
            at.pop();
        }
    }

    fn object(&mut self, s: &Map<String, Value>, props: &Map<String, Value>, at: &mut Vec<Step>) {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for name in props.keys() {
            at.push(Step::Key(name.clone()));
            let what = if required.contains(&name.as_str()) {
                "missing (required)"
            } else {
                "left out (optional)"
            };
            self.push(at, None, what);
            at.pop();
        }
        at.push(Step::Key("seam_unexpected".into()));
        self.push(at, Some(json!("x")), "an unexpected property");
        at.pop();
        let declared = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        for (name, v) in props {
            let schema = declared
                .and_then(|d| d.get(name))
                .or(extra.filter(|e| e.is_object()))
                .cloned()
                .unwrap_or(Value::Bool(true));
            at.push(Step::Key(name.clone()));
            self.node(&schema, v, at);
            at.pop();
        }
    }
}

fn article(t: &str) -> String {
    match t {
        "integer" | "array" | "object" => format!("an {t}"),
        "null" => "null".into(),
        _ => format!("a {t}"),
    }
}

/// A number as a JSON value of the right kind; `None` when it has none.
fn num(x: f64, integer: bool) -> Option<Value> {
    if !x.is_finite() {
        return None;
    }
    if integer && x.fract() == 0.0 && x.abs() < 9.2e18 {
        return Some(Value::Number(Number::from(x as i64)));
    }
    Number::from_f64(x).map(Value::Number)
}

/// Values just outside an enum: each string changed in case and with a
/// character added, each number plus one.
fn enum_neighbours(values: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for v in values.iter().take(2) {
        match v {
            Value::String(s) => {
                let upper = s.to_uppercase();
                let changed = if &upper != s { upper } else { s.to_lowercase() };
                for n in [changed, format!("{s}_")] {
                    let n = Value::String(n);
                    if !values.contains(&n) && !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    let n = json!(i.saturating_add(1000));
                    if !values.contains(&n) && !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_replaces_and_removes_at_a_path() {
        let v = json!({"a": {"b": [1, 2]}, "c": 3});
        let m = Mutant {
            at: vec![Step::Key("a".into()), Step::Key("b".into()), Step::Index(1)],
            value: Some(json!("x")),
            what: String::new(),
        };
        assert_eq!(apply(&v, &m), json!({"a": {"b": [1, "x"]}, "c": 3}));
        let m = Mutant {
            at: vec![Step::Key("c".into())],
            value: None,
            what: String::new(),
        };
        assert_eq!(apply(&v, &m), json!({"a": {"b": [1, 2]}}));
    }

    #[test]
    fn boundaries_and_missing_properties_are_walked() {
        let doc = json!({"components": {"schemas": {"Item": {
            "type": "object", "required": ["qty"],
            "properties": {"qty": {"type": "integer", "minimum": 0, "maximum": 10},
                           "name": {"type": "string", "maxLength": 3}}}}}});
        let schema = json!({"$ref": "#/components/schemas/Item"});
        let value = json!({"qty": 1, "name": "ab"});
        let all = mutants(
            &doc,
            &schema,
            &value,
            Budget {
                nodes: 100,
                huge: false,
            },
        );
        let find = |path: &str, v: Option<Value>| {
            all.iter()
                .any(|m| describe_at("body", &m.at) == path && m.value == v)
        };
        assert!(find("body.qty", Some(json!(-1))));
        assert!(find("body.qty", Some(json!(11))));
        assert!(find("body.qty", None));
        assert!(find("body.name", Some(json!("aaaa"))));
        assert!(find("body.qty", Some(json!("seam"))));
    }
}
