//! Inline matchers in contract bodies, headers, query and path: an object with
//! one `$matcher` key stands for an example value plus a rule at its path.
//!
//! | written | example | rule |
//! | --- | --- | --- |
//! | `{$like: V}` | V | type |
//! | `{$eachLike: V, min: 1, max: 9}` | [V] | type with min/max; V's own matchers apply to every item |
//! | `{$regex: R, example: V}` | V | regex R |
//! | `{$integer: V}` `{$decimal: V}` `{$number: V}` `{$boolean: V}` | V | that type |
//! | `{$date: F, example: V}` `{$time: ..}` `{$timestamp: ..}` | V | format F |
//! | `{$include: S, example: V}` | V | contains S |
//! | `{$semver: V}` `{$notEmpty: V}` `{$equal: V}` | V | that rule |
//! | `{$null: true}` | null | null |
//! | `{$uuid: V}` | V | regex for UUIDs, and a Uuid generator |
//! | `{$fromProviderState: "${id}", example: V}` | V | a ProviderState generator |

use seam_core::datefmt::DateFormat;
use seam_core::generators::{Generator, Generators};
use seam_core::path::{DocPath, PathExpr};
use seam_core::rules::{Category, MatchingRule, MatchingRules, RuleList};
use serde_json::{Map, Value};

/// Where a matcher sits, for rules and generators.
#[derive(Clone, Copy)]
pub enum Slot<'a> {
    Body,
    Header(&'a str),
    Query(&'a str),
    Path,
    Status,
}

/// Collects rules and generators while examples are extracted.
pub struct Extractor<'r> {
    pub rules: &'r mut MatchingRules,
    pub generators: &'r mut Generators,
}

const KNOWN: &[&str] = &[
    "$like",
    "$eachLike",
    "$regex",
    "$integer",
    "$decimal",
    "$number",
    "$boolean",
    "$semver",
    "$notEmpty",
    "$equal",
    "$null",
    "$date",
    "$time",
    "$timestamp",
    "$include",
    "$uuid",
    "$fromProviderState",
];

const UUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

fn matcher_key(o: &Map<String, Value>) -> Option<&str> {
    o.keys().find(|k| k.starts_with('$')).map(String::as_str)
}

impl Extractor<'_> {
    fn add_rule(&mut self, slot: Slot, at: &DocPath, rule: MatchingRule) {
        let (cat, expr) = slot_expr(slot, at);
        self.rules.add(cat, expr, RuleList::new(vec![rule]));
    }

    fn add_generator(&mut self, slot: Slot, at: &DocPath, g: Generator) {
        let (cat, expr) = slot_expr(slot, at);
        self.generators.add(cat, expr, g);
    }

    /// Replaces inline matchers in `v` by their examples, recording rules.
    /// `at` is the location inside the slot (`$` for headers, query, path).
    pub fn extract(&mut self, slot: Slot, at: &DocPath, v: &Value) -> Result<Value, String> {
        let o = match v {
            Value::Object(o) => o,
            Value::Array(items) => {
                return items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.extract(slot, &at.index(i), x))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
            }
            other => return Ok(other.clone()),
        };
        let Some(key) = matcher_key(o) else {
            let mut out = Map::new();
            for (k, x) in o {
                out.insert(k.clone(), self.extract(slot, &at.field(k), x)?);
            }
            return Ok(Value::Object(out));
        };
        self.extract_matcher(slot, at, o, key).map_err(|e| {
            if e.starts_with("at $") {
                e
            } else {
                format!("at {at}: {e}")
            }
        })
    }

    fn extract_matcher(
        &mut self,
        slot: Slot,
        at: &DocPath,
        o: &Map<String, Value>,
        key: &str,
    ) -> Result<Value, String> {
        if !KNOWN.contains(&key) {
            let hint = seam_core::source::did_you_mean(key, KNOWN.iter().copied());
            return Err(format!("unknown inline matcher `{key}`{hint}"));
        }
        let arg = &o[key];
        let example = |name: &str| -> Result<Value, String> {
            o.get("example")
                .cloned()
                .ok_or_else(|| format!("`{name}` needs an `example`"))
        };
        let text = |v: &Value, what: &str| -> Result<String, String> {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}` takes {what}, found {v}"))
        };
        let allowed: &[&str] = match key {
            "$eachLike" => &["min", "max"],
            "$regex" | "$date" | "$time" | "$timestamp" | "$include" | "$fromProviderState" => {
                &["example"]
            }
            _ => &[],
        };
        if let Some(extra) = o
            .keys()
            .find(|k| *k != key && !allowed.contains(&k.as_str()))
        {
            return Err(format!("unexpected `{extra}` next to `{key}`"));
        }
        let (rule, example) = match key {
            "$like" => (MatchingRule::Type, self.extract(slot, at, arg)?),
            "$eachLike" => {
                let size = |k: &str| -> Result<Option<usize>, String> {
                    o.get(k)
                        .map(|n| {
                            n.as_u64()
                                .map(|n| n as usize)
                                .ok_or_else(|| format!("`{k}` must be a number"))
                        })
                        .transpose()
                };
                let rule = match (size("min")?, size("max")?) {
                    (Some(a), Some(b)) => MatchingRule::MinMaxType(a, b),
                    (Some(a), None) => MatchingRule::MinType(a),
                    (None, Some(b)) => MatchingRule::MaxType(b),
                    (None, None) => MatchingRule::MinType(1),
                };
                // the item's own matchers apply to every item
                let mut items = Vec::new();
                let item = self.extract_item(slot, at, arg)?;
                items.push(item);
                (rule, Value::Array(items))
            }
            "$regex" => {
                let re = text(arg, "a regular expression")?;
                let rule =
                    MatchingRule::from_json(&serde_json::json!({"match": "regex", "regex": re}))?;
                let ex = example("$regex")?;
                if let Some(s) = ex.as_str() {
                    if let MatchingRule::Regex(p) = &rule {
                        if !p.is_full_match(s) {
                            return Err(format!("the example '{s}' does not match `{re}`"));
                        }
                    }
                }
                (rule, ex)
            }
            "$integer" => (MatchingRule::Integer, arg.clone()),
            "$decimal" => (MatchingRule::Decimal, arg.clone()),
            "$number" => (MatchingRule::Number, arg.clone()),
            "$boolean" => (MatchingRule::Boolean, arg.clone()),
            "$semver" => (MatchingRule::Semver, arg.clone()),
            "$notEmpty" => (MatchingRule::NotEmpty, arg.clone()),
            "$equal" => (MatchingRule::Equality, arg.clone()),
            "$null" => (MatchingRule::Null, Value::Null),
            "$date" => (
                MatchingRule::Date(DateFormat::new(&text(arg, "a format")?)?),
                example("$date")?,
            ),
            "$time" => (
                MatchingRule::Time(DateFormat::new(&text(arg, "a format")?)?),
                example("$time")?,
            ),
            "$timestamp" => (
                MatchingRule::Timestamp(DateFormat::new(&text(arg, "a format")?)?),
                example("$timestamp")?,
            ),
            "$include" => (
                MatchingRule::Include(text(arg, "a string")?),
                example("$include")?,
            ),
            "$uuid" => {
                self.add_generator(slot, at, Generator::Uuid { format: None });
                let rule =
                    MatchingRule::from_json(&serde_json::json!({"match": "regex", "regex": UUID}))?;
                (rule, arg.clone())
            }
            "$fromProviderState" => {
                let expression = text(arg, "an expression like ${id}")?;
                self.add_generator(
                    slot,
                    at,
                    Generator::ProviderState {
                        expression,
                        data_type: None,
                    },
                );
                let ex = example("$fromProviderState")?;
                return Ok(ex);
            }
            other => return Err(format!("unknown inline matcher `{other}`")),
        };
        self.add_rule(slot, at, rule);
        Ok(example)
    }

    /// An `$eachLike` item: its matchers are recorded at `[*]`.
    fn extract_item(&mut self, slot: Slot, at: &DocPath, item: &Value) -> Result<Value, String> {
        // Record at index 0 first, then re-key the rules to `[*]` by re-adding.
        let mut rules = MatchingRules::default();
        let mut gens = Generators::default();
        let value = Extractor {
            rules: &mut rules,
            generators: &mut gens,
        }
        .extract(slot, &DocPath::root(), item)?;
        let (cat, prefix) = slot_expr(slot, at);
        for (c, set) in rules.iter() {
            for (expr, list) in set.iter() {
                let joined = join(prefix.as_str(), expr.as_str());
                let expr = PathExpr::parse(&joined).map_err(|e| e.to_string())?;
                self.rules.add(c, expr, list.clone());
            }
        }
        for (c, list) in gens.iter() {
            for (expr, g) in list {
                let joined = join(prefix.as_str(), expr.as_str());
                self.generators.add(
                    c,
                    PathExpr::parse(&joined).map_err(|e| e.to_string())?,
                    g.clone(),
                );
            }
        }
        let _ = cat;
        Ok(value)
    }
}

/// `$.items` + `$.sku` → `$.items[*].sku`.
fn join(prefix: &str, rel: &str) -> String {
    format!("{prefix}[*]{}", rel.strip_prefix('$').unwrap_or(rel))
}

fn slot_expr(slot: Slot, at: &DocPath) -> (Category, PathExpr) {
    match slot {
        Slot::Body => (
            Category::Body,
            PathExpr::parse(&at.to_string()).expect("a rendered path parses"),
        ),
        Slot::Header(name) => (Category::Header, PathExpr::name(name)),
        Slot::Query(name) => (Category::Query, PathExpr::name(name)),
        Slot::Path => (Category::Path, PathExpr::root()),
        Slot::Status => (Category::Status, PathExpr::root()),
    }
}
