//! Answers from a spec: named examples, and data generated from a schema (seeded).
//!
//! [`example`] picks a media type's example by name (or its first, or its
//! schema's own `example`); [`from_schema`] makes a value that validates against
//! a schema: formats, `pattern` (bounded, through `rand_regex`), length, item,
//! property and numeric bounds, `multipleOf`, `enum`/`const`, `allOf` merged,
//! `oneOf`/`anyOf` one branch (its discriminator value set to match),
//! `additionalProperties`, `readOnly` left out of requests and `writeOnly` out of
//! responses. Recursion is bounded: once a schema is entered again inside
//! itself, optional properties are dropped and arrays get their fewest items.
//! The same seed gives the same value.

use crate::model::{MediaType, SchemaRef, Spec};
pub use crate::schema::Direction;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

/// Past this nesting depth a value is built with the fewest parts its schema
/// allows; past [`HARD_DEPTH`], a schema that still requires more gets `null`.
const SOFT_DEPTH: usize = 6;
const HARD_DEPTH: usize = 24;
/// Past this many values in one generation, the rest is built with the
/// fewest parts (large specs nest wide objects many levels deep).
const BUDGET: usize = 400;
/// A schema is entered at most this many times inside itself.
const MAX_REENTRY: usize = 3;
/// `x*`, `x+` and `x{n,}` in a `pattern` repeat at most this many extra times.
const MAX_REPEAT: u32 = 8;
/// Items in an array without `maxItems` (beyond `minItems`).
const EXTRA_ITEMS: usize = 2;
/// Tries at a string that fits a pattern and a length bound at once, and at
/// distinct items for `uniqueItems`.
const TRIES: usize = 16;

/// The example to answer with: the one named `name`, else (no name) the media
/// type's first example, else the example its schema carries (`example`, or
/// the first of 3.1's `examples`). `None` when there is none (or the named one
/// does not exist, or only has an `externalValue`).
pub fn example(spec: &Spec, media: &MediaType, name: Option<&str>) -> Option<Value> {
    if let Some(name) = name {
        return media
            .examples
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.value.clone());
    }
    if let Some(v) = media.examples.iter().find_map(|e| e.value.clone()) {
        return Some(v);
    }
    let schema = resolve(&spec.document, spec.schema(media.schema.as_ref()?)?, 0)?;
    schema.get("example").cloned().or_else(|| {
        schema
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
    })
}

/// A value valid against `schema` for `direction`, from `seed`: the same seed
/// gives the same value.
pub fn from_schema(spec: &Spec, schema: &SchemaRef, direction: Direction, seed: u64) -> Value {
    let mut g = Generator {
        doc: &spec.document,
        direction,
        rng: StdRng::seed_from_u64(seed),
        stack: Vec::new(),
        folding: Vec::new(),
        made: 0,
    };
    if spec.schema(schema).is_none() {
        return Value::Null;
    }
    // entered as a reference, so the schema is on the stack (recursion,
    // discriminator subtypes) like any other
    let entry = Value::Object(Map::from_iter([(
        "$ref".to_string(),
        Value::String(format!("#{}", schema.pointer())),
    )]));
    g.value(&entry, 0, false)
}

/// A `$ref`'s target (local pointers only), followed until a schema that is
/// not a bare reference.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value, mut hops: usize) -> Option<&'a Value> {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        hops += 1;
        if hops > 64 {
            return None;
        }
        schema = doc.pointer(r.strip_prefix('#')?)?;
    }
    Some(schema)
}

struct Generator<'a> {
    doc: &'a Value,
    direction: Direction,
    rng: StdRng,
    /// The `$ref`s being expanded, outermost first.
    stack: Vec<String>,
    /// Values made so far (see [`BUDGET`]).
    made: usize,
    /// The `$ref`s being folded into one merged schema (`allOf`), outermost first.
    folding: Vec<String>,
}

/// A schema with its `allOf` (and a chosen `oneOf`/`anyOf` branch) folded in.
type Merged = Map<String, Value>;

impl Generator<'_> {
    /// `minimal`: only required properties and the fewest items.
    fn value(&mut self, schema: &Value, depth: usize, minimal: bool) -> Value {
        if depth > HARD_DEPTH {
            return Value::Null;
        }
        self.made += 1;
        let minimal = minimal || depth > SOFT_DEPTH || self.made > BUDGET;
        let obj = match schema {
            Value::Bool(_) => return Value::String("string".into()),
            Value::Object(o) => o,
            _ => return Value::Null,
        };
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let entered = self.stack.iter().filter(|s| *s == r).count();
            if entered >= MAX_REENTRY {
                // a schema that requires itself over and over has no finite value
                return Value::Null;
            }
            let again = entered > 0;
            let doc = self.doc;
            let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
                return Value::Null;
            };
            // a base schema whose discriminator maps its subtypes: one of the
            // subtypes (a value of the base alone would name none of them)
            if let Some(sub) = self.subtype(target, r) {
                let sub = Value::Object(Map::from_iter([("$ref".to_string(), Value::String(sub))]));
                return self.value(&sub, depth + 1, minimal);
            }
            self.stack.push(r.to_string());
            // 3.1: siblings of `$ref` apply too
            let v = if obj.len() > 1 {
                let mut merged = Map::new();
                self.fold(target, &mut merged, depth);
                let mut rest = obj.clone();
                rest.remove("$ref");
                self.fold_map(&rest, &mut merged, depth);
                self.generate_merged(merged, depth + 1, minimal || again)
            } else {
                self.value(target, depth + 1, minimal || again)
            };
            self.stack.pop();
            return v;
        }
        let mut merged = Map::new();
        self.fold_map(obj, &mut merged, depth);
        self.generate_merged(merged, depth, minimal)
    }

    /// For a base schema `target` (reached as `r`) with a discriminator
    /// mapping and no `oneOf`/`anyOf`: a subtype to generate instead, unless
    /// `r` is one of them or one is already being generated.
    fn subtype(&mut self, target: &Value, r: &str) -> Option<String> {
        if target.get("oneOf").is_some() || target.get("anyOf").is_some() {
            return None;
        }
        let discriminator = target.get("discriminator")?;
        let targets: Vec<String> = match discriminator.get("mapping").and_then(Value::as_object) {
            Some(mapping) => mapping
                .values()
                .filter_map(Value::as_str)
                .map(|t| {
                    if t.starts_with('#') {
                        t.to_string()
                    } else {
                        format!("#/components/schemas/{t}")
                    }
                })
                .collect(),
            // no mapping: the component schemas that extend this one (`allOf: [$ref]`)
            None => self
                .doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, s)| {
                    s.get("allOf")
                        .and_then(Value::as_array)
                        .is_some_and(|parts| {
                            parts
                                .iter()
                                .any(|p| p.get("$ref").and_then(Value::as_str) == Some(r))
                        })
                })
                .map(|(name, _)| crate::model::pointer_join("#/components/schemas", name))
                .collect(),
        };
        if targets.is_empty() || targets.iter().any(|t| t == r || self.stack.contains(t)) {
            return None;
        }
        let doc = self.doc;
        let usable: Vec<&String> = targets
            .iter()
            .filter(|t| t.strip_prefix('#').and_then(|p| doc.pointer(p)).is_some())
            .collect();
        if usable.is_empty() {
            return None;
        }
        Some(usable[self.rng.gen_range(0..usable.len())].clone())
    }

    /// Adds `schema` (refs followed, `allOf` flattened, one `oneOf`/`anyOf`
    /// branch chosen) to `into`.
    fn fold(&mut self, schema: &Value, into: &mut Merged, depth: usize) {
        if depth > HARD_DEPTH {
            return;
        }
        // a schema being folded is not folded into itself again (`A: allOf: [B]`,
        // `B: allOf: [A]`)
        let r = schema.get("$ref").and_then(Value::as_str);
        if let Some(r) = r {
            if self.folding.iter().any(|f| f == r) {
                return;
            }
            self.folding.push(r.to_string());
        }
        let doc = self.doc;
        if let Some(Value::Object(o)) = resolve(doc, schema, 0) {
            self.fold_map(o, into, depth + 1)
        }
        if r.is_some() {
            self.folding.pop();
        }
    }

    fn fold_map(&mut self, obj: &Map<String, Value>, into: &mut Merged, depth: usize) {
        for (k, v) in obj {
            match k.as_str() {
                "allOf" | "oneOf" | "anyOf" | "$ref" | "discriminator" | "if" | "then" | "else" => {
                }
                _ => merge_keyword(into, k, v),
            }
        }
        if let Some(r) = obj.get("$ref") {
            let reference = Value::Object(Map::from_iter([("$ref".to_string(), r.clone())]));
            self.fold(&reference, into, depth);
        }
        // a base schema's discriminator, reached through a subtype's `allOf`:
        // the value names the subtype being generated
        if let Some(d) = obj.get("discriminator") {
            if !obj.contains_key("oneOf") && !obj.contains_key("anyOf") {
                if let Some(current) = self.stack.last() {
                    let current = Value::Object(Map::from_iter([(
                        "$ref".to_string(),
                        Value::String(current.clone()),
                    )]));
                    set_discriminator(d, &current, into);
                }
            }
        }
        for part in obj
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.fold(part, into, depth);
        }
        // `if`/`then`: a value meeting both meets the condition's branch
        if let (Some(cond), Some(then)) = (obj.get("if"), obj.get("then")) {
            self.fold(cond, into, depth);
            self.fold(then, into, depth);
        }
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            if branches.is_empty() {
                continue;
            }
            // prefer a branch that is not null, then pick one
            let candidates: Vec<&Value> = branches
                .iter()
                .filter(|b| !is_null_schema(self.doc, b))
                .collect();
            let pool: Vec<&Value> = if candidates.is_empty() {
                branches.iter().collect()
            } else {
                candidates
            };
            // over budget: the plainest branch (a scalar), so values stay small
            let plain = (self.made > BUDGET)
                .then(|| pool.iter().copied().find(|b| is_scalar_schema(self.doc, b)))
                .flatten();
            let branch = match plain {
                Some(b) => b,
                None => pool[self.rng.gen_range(0..pool.len())],
            };
            self.fold(branch, into, depth);
            if let Some(d) = obj.get("discriminator") {
                set_discriminator(d, branch, into);
            }
        }
    }

    fn generate_merged(&mut self, s: Merged, depth: usize, minimal: bool) -> Value {
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        // over budget, a value that may be null is
        if self.made > BUDGET && merged_allows_null(&s) {
            return Value::Null;
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !values.is_empty() {
                return values[self.rng.gen_range(0..values.len())].clone();
            }
            return Value::Null;
        }
        match schema_type(&s) {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.gen()),
            "integer" => self.integer(&s),
            "number" => self.number(&s),
            "string" => Value::String(self.string(&s)),
            "array" => self.array(&s, depth, minimal),
            _ => self.object(&s, depth, minimal),
        }
    }

    fn integer(&mut self, s: &Merged) -> Value {
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        let (mut lo, mut hi) = match format {
            "int32" => (i32::MIN as i128, i32::MAX as i128),
            "int64" => (i64::MIN as i128, i64::MAX as i128),
            _ => (i64::MIN as i128, i64::MAX as i128),
        };
        let (min, max, xmin, xmax) = bounds(s);
        if let Some(m) = min {
            lo = lo.max(m.ceil() as i128 + i128::from(xmin && m.fract() == 0.0));
        }
        if let Some(m) = max {
            hi = hi.min(m.floor() as i128 - i128::from(xmax && m.fract() == 0.0));
        }
        // a small, readable range unless the bounds say otherwise
        let (lo, hi) = narrow(lo, hi, 0, 1000);
        let step = s
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m >= 1.0 && m.fract() == 0.0)
            .map(|m| m as i128);
        let n = match step {
            Some(m) => {
                let first = div_ceil(lo, m);
                let last = hi.div_euclid(m);
                if first > last {
                    lo
                } else {
                    self.rng.gen_range(first..=last.min(first + 1000)) * m
                }
            }
            None if lo > hi => lo,
            None => self.rng.gen_range(lo..=hi),
        };
        Value::from(n as i64)
    }

    fn number(&mut self, s: &Merged) -> Value {
        let (min, max, xmin, xmax) = bounds(s);
        let lo = min.unwrap_or_else(|| max.map_or(0.0, |m| (m - 1000.0).min(0.0)));
        let hi = max.unwrap_or(lo.max(0.0) + 1000.0);
        if let Some(m) = s
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0)
        {
            let mut first = (lo / m).ceil();
            if xmin && first * m <= lo {
                first += 1.0;
            }
            let mut last = (hi / m).floor();
            if xmax && last * m >= hi {
                last -= 1.0;
            }
            let k = if first > last {
                first
            } else {
                first + self.rng.gen_range(0..=((last - first).min(1000.0) as u64)) as f64
            };
            return number_value(k * m);
        }
        if lo >= hi {
            return number_value(lo);
        }
        // two decimals, inside the bounds (exclusive ones included)
        for _ in 0..TRIES {
            let x = (self.rng.gen_range(lo..=hi) * 100.0).round() / 100.0;
            if (!xmin || x > lo) && (!xmax || x < hi) && x >= lo && x <= hi {
                return number_value(x);
            }
        }
        number_value((lo + hi) / 2.0)
    }

    fn string(&mut self, s: &Merged) -> String {
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let fits = |t: &str| {
            let n = t.chars().count();
            n >= min && max.is_none_or(|m| n <= m)
        };
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        let formatted = self.formatted(format);
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
            // a format value that also fits the pattern is the better answer
            if let Some(t) = formatted
                .as_ref()
                .filter(|t| fits(t) && matches_pattern(pattern, t))
            {
                return t.clone();
            }
            // long enough repeats to reach minLength
            let repeat = (min as u32).clamp(MAX_REPEAT, 64);
            if let Some(gen) = pattern_generator(pattern, repeat) {
                let mut last = String::new();
                for _ in 0..TRIES * 4 {
                    let t: String = self.rng.sample(&*gen);
                    if fits(&t) {
                        return t;
                    }
                    last = t;
                }
                return last;
            }
            // look-around (`(?=.*[A-Z])(?=.*[0-9])`, a password rule): strings
            // of every character class, checked against the pattern itself
            for _ in 0..TRIES * 4 {
                let t = self.varied_text(min, max.unwrap_or(min.max(8) + 8).max(min));
                if matches_pattern(pattern, &t) {
                    return t;
                }
            }
        }

        match formatted {
            Some(t) if fits(&t) => t,
            Some(t) if t.chars().count() < min => {
                // pad a format value only where padding keeps it valid
                let mut t = t;
                if format == "binary" || format == "password" || format.is_empty() {
                    while t.chars().count() < min {
                        t.push('x');
                    }
                }
                t
            }
            _ => self.text(min, max.unwrap_or(min.max(8).saturating_add(4)).max(min)),
        }
    }

    /// A value for a string `format`; `None` for formats without one.
    fn formatted(&mut self, format: &str) -> Option<String> {
        let r = &mut self.rng;
        Some(match format {
            "date" => format!(
                "{:04}-{:02}-{:02}",
                r.gen_range(2000..2030),
                r.gen_range(1..=12),
                r.gen_range(1..=28)
            ),
            "date-time" => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                r.gen_range(2000..2030),
                r.gen_range(1..=12),
                r.gen_range(1..=28),
                r.gen_range(0..24),
                r.gen_range(0..60),
                r.gen_range(0..60)
            ),
            "time" => format!(
                "{:02}:{:02}:{:02}Z",
                r.gen_range(0..24),
                r.gen_range(0..60),
                r.gen_range(0..60)
            ),
            "duration" => format!("P{}DT{}H", r.gen_range(1..30), r.gen_range(0..24)),
            "email" | "idn-email" => format!("user{}@example.com", r.gen_range(1..10_000)),
            "uuid" => uuid::Builder::from_random_bytes(r.gen())
                .into_uuid()
                .to_string(),
            "uri" | "url" | "iri" => format!("https://example.com/{}", r.gen_range(1..10_000)),
            "uri-reference" | "iri-reference" => format!("/items/{}", r.gen_range(1..10_000)),
            "uri-template" => "https://example.com/{id}".to_string(),
            "hostname" | "idn-hostname" => format!("host{}.example.com", r.gen_range(1..1000)),
            "ipv4" => format!(
                "{}.{}.{}.{}",
                r.gen_range(1..=223),
                r.gen::<u8>(),
                r.gen::<u8>(),
                r.gen_range(1..=254)
            ),
            "ipv6" => {
                let groups: Vec<String> = (0..8).map(|_| format!("{:x}", r.gen::<u16>())).collect();
                groups.join(":")
            }
            "byte" => {
                use base64::Engine;
                let bytes: [u8; 9] = r.gen();
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }
            "json-pointer" => "/items/0".to_string(),
            "relative-json-pointer" => "0/items".to_string(),
            "regex" => "^[a-z]+$".to_string(),
            _ => return None,
        })
    }

    /// Lower-case letters, `min..=max` of them.
    fn text(&mut self, min: usize, max: usize) -> String {
        let n = if max > min {
            self.rng.gen_range(min..=max.min(min + 12))
        } else {
            min
        };
        (0..n)
            .map(|_| self.rng.gen_range(b'a'..=b'z') as char)
            .collect()
    }

    /// Text of `min..=max` characters (at least 8 where allowed) that holds a
    /// lower-case and an upper-case letter, a digit and a symbol, in a random
    /// order: what a pattern of look-aheads asks of a password.
    fn varied_text(&mut self, min: usize, max: usize) -> String {
        const CLASSES: [&[u8]; 4] = [
            b"abcdefghijklmnopqrstuvwxyz",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            b"0123456789",
            b"!#$%&*+-.=?@_",
        ];
        let low = min.max(8.min(max));
        let n = if max > low {
            self.rng.gen_range(low..=max.min(low + 8))
        } else {
            low
        };
        let mut chars: Vec<u8> = (0..n)
            .map(|i| {
                let class = CLASSES[if i < CLASSES.len() {
                    i
                } else {
                    self.rng.gen_range(0..CLASSES.len())
                }];
                class[self.rng.gen_range(0..class.len())]
            })
            .collect();
        rand::seq::SliceRandom::shuffle(chars.as_mut_slice(), &mut self.rng);
        chars.into_iter().map(char::from).collect()
    }

    fn array(&mut self, s: &Merged, depth: usize, minimal: bool) -> Value {
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let prefix: Vec<&Value> = s
            .get("prefixItems")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let items = s.get("items").filter(|i| !i.is_array());
        // 2019-09 style tuple `items: [...]`
        let tuple: Vec<&Value> = match s.get("items") {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => prefix,
        };
        let wanted = if minimal {
            min
        } else {
            (min.max(1) + self.rng.gen_range(0..=EXTRA_ITEMS)).min(min.max(1) + EXTRA_ITEMS)
        };
        let mut n = match max {
            Some(m) => wanted.min(m).max(min.min(m)),
            None => wanted,
        };
        if items.is_none() && s.get("items").is_some_and(|i| i == &Value::Bool(false)) {
            n = n.min(tuple.len());
        }
        let unique = s
            .get("uniqueItems")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut out: Vec<Value> = Vec::with_capacity(n);
        let mut attempts = 0;
        while out.len() < n && attempts < n * TRIES {
            attempts += 1;
            let i = out.len();
            let v = match tuple.get(i).copied().or(items) {
                Some(schema) => self.value(schema, depth + 1, minimal),
                None => Value::String(self.text(3, 8)),
            };
            if unique && out.contains(&v) {
                continue;
            }
            out.push(v);
        }
        Value::Array(out)
    }

    fn object(&mut self, s: &Merged, depth: usize, minimal: bool) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let max = s
            .get("maxProperties")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let min = s.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        let props: Vec<(&String, &Value)> = s
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        // required first, then the optional ones while maxProperties allows
        let mut order: Vec<&(&String, &Value)> = props
            .iter()
            .filter(|(k, _)| required.contains(&k.as_str()))
            .collect();
        order.extend(
            props
                .iter()
                .filter(|(k, _)| !required.contains(&k.as_str())),
        );
        for (name, schema) in order {
            let is_required = required.contains(&name.as_str());
            if !is_required && (minimal && out.len() >= min || max.is_some_and(|m| out.len() >= m))
            {
                continue;
            }
            if self.skipped_for_direction(schema) {
                continue;
            }
            let v = self.value(schema, depth + 1, minimal);
            if v.is_null() && !is_required && !allows_null(self.doc, schema) {
                continue;
            }
            out.insert(name.to_string(), v);
        }
        // `not: {required: [a, b]}` (OpenAI's "exactly one of `a` or `b`"): not all
        // of them, the last one that is not itself required left out
        if let Some(Value::Array(names)) = s.get("not").and_then(|n| n.get("required")) {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            if !names.is_empty() && names.iter().all(|n| out.contains_key(*n)) {
                if let Some(left_out) = names.iter().rev().find(|n| !required.contains(n)) {
                    out.remove(*left_out);
                }
            }
        }
        // required names without a property schema
        for name in &required {
            if !out.contains_key(*name) && !props.iter().any(|(k, _)| k.as_str() == *name) {
                out.insert(name.to_string(), Value::String(self.text(3, 8)));
            }
        }
        // additionalProperties: one entry when a schema is given, more up to minProperties
        let extra = s.get("additionalProperties");
        let allows_extra = !matches!(extra, Some(Value::Bool(false)));
        let wanted_extra = match extra {
            Some(Value::Object(_)) if !minimal && props.is_empty() => 1,
            _ => 0,
        };
        let mut i = 0;
        while allows_extra
            && (out.len() < min || i < wanted_extra)
            && max.is_none_or(|m| out.len() < m)
            && i < 64
        {
            i += 1;
            let key = format!("additionalProp{i}");
            if out.contains_key(&key) {
                continue;
            }
            let v = match extra {
                Some(schema @ Value::Object(_)) => self.value(schema, depth + 1, true),
                _ => Value::String(self.text(3, 8)),
            };
            out.insert(key, v);
        }
        Value::Object(out)
    }

    /// `readOnly` properties are not sent in requests, `writeOnly` ones not in responses.
    fn skipped_for_direction(&self, schema: &Value) -> bool {
        let key = match self.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let flagged = |s: &Value| s.get(key).and_then(Value::as_bool).unwrap_or(false);
        flagged(schema)
            || resolve(self.doc, schema, 0).is_some_and(flagged)
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter()
                        .any(|p| resolve(self.doc, p, 0).is_some_and(flagged))
                })
    }
}

/// Adds one keyword of a schema to a merged one (`allOf`): properties and
/// `required` united, bounds the tighter, `enum`s intersected, the rest kept
/// from the first schema that says it.
fn merge_keyword(into: &mut Merged, k: &str, v: &Value) {
    let Some(old) = into.get_mut(k) else {
        into.insert(k.to_string(), v.clone());
        return;
    };
    match k {
        "properties" => {
            if let (Value::Object(old), Value::Object(new)) = (old, v) {
                for (name, schema) in new {
                    match old.get_mut(name) {
                        Some(existing) if existing != schema => {
                            let both = Value::Array(vec![existing.take(), schema.clone()]);
                            *existing = Value::Object(Map::from_iter([("allOf".into(), both)]));
                        }
                        Some(_) => {}
                        None => {
                            old.insert(name.clone(), schema.clone());
                        }
                    }
                }
            }
        }
        "required" => {
            if let (Value::Array(old), Value::Array(new)) = (old, v) {
                for name in new {
                    if !old.contains(name) {
                        old.push(name.clone());
                    }
                }
            }
        }
        "minimum" | "minLength" | "minItems" | "minProperties" if v.as_f64() > old.as_f64() => {
            *old = v.clone();
        }
        "maximum" | "maxLength" | "maxItems" | "maxProperties" if v.as_f64() < old.as_f64() => {
            *old = v.clone();
        }
        "exclusiveMinimum" if v.is_number() && old.is_number() && v.as_f64() > old.as_f64() => {
            *old = v.clone();
        }
        "exclusiveMaximum" if v.is_number() && old.is_number() && v.as_f64() < old.as_f64() => {
            *old = v.clone();
        }
        "enum" => {
            if let (Value::Array(old), Value::Array(new)) = (old, v) {
                let kept: Vec<Value> = old.iter().filter(|x| new.contains(x)).cloned().collect();
                if !kept.is_empty() {
                    *old = kept;
                }
            }
        }
        // integer is the narrower number
        "type" if old == "number" && v == "integer" => {
            *old = v.clone();
        }
        _ => {}
    }
}

/// Whether a schema only allows `null`.
fn is_null_schema(doc: &Value, schema: &Value) -> bool {
    let Some(s) = resolve(doc, schema, 0) else {
        return false;
    };
    s.get("type").and_then(Value::as_str) == Some("null")
        || s.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().all(Value::is_null))
}

/// Whether a schema is a plain string, number, integer or boolean.
fn is_scalar_schema(doc: &Value, schema: &Value) -> bool {
    resolve(doc, schema, 0)
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| matches!(t, "string" | "integer" | "number" | "boolean"))
}

/// Whether a merged schema allows `null`.
fn merged_allows_null(s: &Merged) -> bool {
    s.get("nullable").and_then(Value::as_bool).unwrap_or(false)
        || s.get("type")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|t| t == "null"))
}

/// Whether a schema allows `null` (3.0 `nullable`, 3.1 `type: [..., "null"]`).
fn allows_null(doc: &Value, schema: &Value) -> bool {
    let Some(s) = resolve(doc, schema, 0) else {
        return false;
    };
    s.get("nullable").and_then(Value::as_bool).unwrap_or(false)
        || match s.get("type") {
            Some(Value::String(t)) => t == "null",
            Some(Value::Array(a)) => a.iter().any(|t| t == "null"),
            _ => false,
        }
}

/// Marks a discriminator value [`set_discriminator`] chose.
const NAMED: &str = "x-seam-named";

/// Sets the discriminator property of a merged schema to the value that
/// names `branch`: the mapping key that points at it, else the values the
/// branch declares for the property itself (`enum`/`const`, kept as they
/// are), else its schema name; as the validator reads a discriminator.
fn set_discriminator(d: &Value, branch: &Value, into: &mut Merged) {
    let Some(property) = d.get("propertyName").and_then(Value::as_str) else {
        return;
    };
    let Some(r) = branch.get("$ref").and_then(Value::as_str) else {
        return;
    };
    let mapped = d.get("mapping").and_then(Value::as_object).and_then(|m| {
        m.iter().find_map(|(key, target)| {
            let t = target.as_str()?;
            let matches = t == r || r.rsplit('/').next() == Some(t);
            matches.then(|| key.clone())
        })
    });
    // (a value this function set, for a base reached through `allOf`, is
    // not the branch's own)
    let declared = into
        .get("properties")
        .and_then(|ps| ps.get(property))
        .filter(|p| p.get(NAMED).is_none())
        .is_some_and(|p| {
            matches!(p.get("const"), Some(Value::String(_)))
                || p.get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(Value::is_string))
        });
    if mapped.is_none() && declared {
        return;
    }
    let name = mapped.unwrap_or_else(|| r.rsplit('/').next().unwrap_or(r).to_string());
    let props = into
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props {
        props.insert(
            property.to_string(),
            Value::Object(Map::from_iter([
                ("const".into(), Value::String(name)),
                (NAMED.into(), Value::Bool(true)),
            ])),
        );
    }
}

/// The type to generate: the declared one (the first that is not `null` when
/// several are allowed), else the one its keywords imply.
fn schema_type(s: &Merged) -> &str {
    match s.get("type") {
        Some(Value::String(t)) => return t,
        Some(Value::Array(types)) => {
            let first = types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null");
            return first.unwrap_or("null");
        }
        _ => {}
    }
    let has = |keys: &[&str]| keys.iter().any(|k| s.contains_key(*k));
    if has(&[
        "properties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
    ]) {
        "object"
    } else if has(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
    ]) {
        "array"
    } else if has(&["minLength", "maxLength", "pattern"]) {
        "string"
    } else if let Some(f) = s.get("format").and_then(Value::as_str) {
        match f {
            "int32" | "int64" => "integer",
            "float" | "double" => "number",
            _ => "string",
        }
    } else if has(&[
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ]) {
        "number"
    } else {
        "object"
    }
}

/// `(minimum, maximum, minimum exclusive, maximum exclusive)`, from 3.0's
/// boolean `exclusiveMinimum` or 3.1's numeric one (the tighter bound wins).
fn bounds(s: &Merged) -> (Option<f64>, Option<f64>, bool, bool) {
    let one = |inclusive: &str, exclusive: &str, lower: bool| {
        let plain = s.get(inclusive).and_then(Value::as_f64);
        match s.get(exclusive) {
            Some(Value::Bool(x)) => (plain, *x && plain.is_some()),
            Some(v) => match (v.as_f64(), plain) {
                (Some(x), Some(p)) if (lower && p > x) || (!lower && p < x) => (Some(p), false),
                (Some(x), _) => (Some(x), true),
                (None, p) => (p, false),
            },
            None => (plain, false),
        }
    };
    let (min, xmin) = one("minimum", "exclusiveMinimum", true);
    let (max, xmax) = one("maximum", "exclusiveMaximum", false);
    (min, max, xmin, xmax)
}

/// `[lo, hi]` cut to a readable window (`[wlo, whi]`, moved to where the
/// bounds are when they exclude it).
fn narrow(lo: i128, hi: i128, wlo: i128, whi: i128) -> (i128, i128) {
    let width = whi - wlo;
    let (a, b) = if hi < wlo {
        (hi - width, hi)
    } else if lo > whi {
        (lo, lo + width)
    } else {
        (wlo, whi)
    };
    (lo.max(a), hi.min(b))
}

fn div_ceil(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

fn number_value(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A generator for strings matching an ECMA `pattern` (anchors and word
/// boundaries dropped: a whole generated string matches the rest), with
/// `\d`, `\w` and `\s` read as ASCII where the pattern allows. Compiled
/// generators are kept per thread. `None` when the pattern cannot be read
/// (look-around, back-references).
fn pattern_generator(pattern: &str, repeat: u32) -> Option<std::rc::Rc<rand_regex::Regex>> {
    use std::collections::HashMap;
    type Generator = std::rc::Rc<rand_regex::Regex>;
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<(String, u32), Option<Generator>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let key = (pattern.to_string(), repeat);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .build()
            .parse(pattern)
            .ok()
    };
    let gen = parse(false)
        .or_else(|| parse(true))
        .and_then(|hir| rand_regex::Regex::with_hir(strip_looks(hir), repeat).ok())
        .map(std::rc::Rc::new);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 4096 {
            c.clear();
        }
        c.insert(key, gen.clone());
    });
    gen
}

/// Whether `text` has a match of the ECMA `pattern`, look-around included (an
/// unreadable pattern, or one that backtracks past fancy-regex's limit: no).
fn matches_pattern(pattern: &str, text: &str) -> bool {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Option<fancy_regex::Regex>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 4096 {
            c.clear();
        }
        c.entry(pattern.to_string())
            .or_insert_with(|| fancy_regex::Regex::new(pattern).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text).unwrap_or(false))
    })
}

/// The same regex without its anchors and word-boundary assertions.
fn strip_looks(hir: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Hir, HirKind};
    match hir.into_kind() {
        HirKind::Look(_) | HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(c) => Hir::class(c),
        HirKind::Repetition(mut r) => {
            r.sub = Box::new(strip_looks(*r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(mut c) => {
            c.sub = Box::new(strip_looks(*c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(strip_looks).collect()),
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.into_iter().map(strip_looks).collect())
        }
    }
}
