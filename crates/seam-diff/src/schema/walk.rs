//! Pairing two schemas into a tree of differences ([`SchemaDiff`]), the way
//! oasdiff's `diff` package does: properties by name, `items`,
//! `additionalProperties` and the other single subschemas side by side,
//! `allOf`/`anyOf`/`oneOf`/`prefixItems` branches matched by `$ref`, then by
//! identical content, then by title (and a lone untitled pair with each other).
//! `$ref`s are followed in each document; a pair already being compared higher
//! up (a recursive schema) counts as unchanged, so every walk ends.
//!
//! Each pair is compared once per run ([`SchemaCache`]), so the tree of
//! differences is a graph that shares the diff of a component wherever it is
//! reached. A pair found unchanged only on the assumption that a pair further
//! up is (a cycle) stays provisional until that pair is settled.

use crate::context::resolve;
use seam_openapi::Spec;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

/// A pair of schemas: pointer in base, pointer in revision.
type PairKey = (String, String);

/// Every schema pair compared in one diff run, with its verdict: each pair is
/// walked once, however many operations reach it. Big specs reach the same
/// components from thousands of places (Stripe's expandable fields), so this
/// keeps a diff linear in the size of the documents.
#[derive(Debug, Default)]
pub struct SchemaCache<'a> {
    same: RefCell<HashSet<PairKey>>,
    changed: RefCell<HashMap<PairKey, Rc<SchemaDiff<'a>>>>,
}

impl<'a> SchemaCache<'a> {
    /// `Some(None)` for a pair known to be the same, `Some(Some(diff))` for a
    /// pair known to differ, `None` for a pair not compared yet.
    fn get(&self, key: &PairKey) -> Option<Option<Rc<SchemaDiff<'a>>>> {
        if self.same.borrow().contains(key) {
            return Some(None);
        }
        self.changed.borrow().get(key).map(|d| Some(Rc::clone(d)))
    }

    fn insert_same(&self, key: PairKey) {
        self.same.borrow_mut().insert(key);
    }

    fn insert_changed(&self, key: PairKey, diff: Rc<SchemaDiff<'a>>) {
        self.changed.borrow_mut().insert(key, diff);
    }
}

/// One schema of one document: its value with `$ref`s followed, where it is,
/// and the `$ref` it was written as (if any).
#[derive(Clone, Debug)]
pub struct Schema<'a> {
    pub value: &'a Value,
    pub pointer: String,
    /// The `$ref` the schema was written as, before following it.
    pub reference: Option<&'a str>,
}

impl<'a> Schema<'a> {
    fn object(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// A keyword's value, if present.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.object().and_then(|o| o.get(key))
    }

    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    /// The types, `"null"` left out (3.1 writes nullability into `type`).
    pub fn types(&self) -> Vec<&'a str> {
        match self.get("type") {
            Some(Value::String(t)) if t != "null" => vec![t.as_str()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `nullable: true` (3.0) or `"null"` among the types (3.1).
    pub fn nullable(&self) -> bool {
        if self.flag("nullable") {
            return true;
        }
        match self.get("type") {
            Some(Value::String(t)) => t == "null",
            Some(Value::Array(list)) => list.iter().any(|t| t == "null"),
            _ => false,
        }
    }

    pub fn format(&self) -> &'a str {
        self.str("format").unwrap_or("")
    }

    pub fn title(&self) -> &'a str {
        self.str("title").unwrap_or("")
    }

    pub fn required(&self) -> Vec<&'a str> {
        self.get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required().contains(&name)
    }

    pub fn enum_values(&self) -> Option<&'a Vec<Value>> {
        self.get("enum").and_then(Value::as_array)
    }

    pub fn properties(&self) -> Option<&'a Map<String, Value>> {
        self.get("properties").and_then(Value::as_object)
    }

    /// The component name of the `$ref` (its last segment), or "".
    pub fn component(&self) -> &'a str {
        self.reference
            .map(|r| r.rsplit('/').next().unwrap_or(r))
            .unwrap_or("")
    }
}

/// A subschema slot that may be filled on one side only.
#[derive(Debug)]
pub enum Slot<'a> {
    Added(Schema<'a>),
    Deleted(Schema<'a>),
    Modified(Rc<SchemaDiff<'a>>),
}

impl<'a> Slot<'a> {
    pub fn modified(&self) -> Option<&SchemaDiff<'a>> {
        match self {
            Slot::Modified(d) => Some(d),
            _ => None,
        }
    }
}

/// One branch of an `allOf`/`anyOf`/`oneOf`/`prefixItems` list.
#[derive(Debug, Clone)]
pub struct Branch {
    /// Zero-based position in its list.
    pub index: usize,
    /// The component the branch refers to, "" when inline.
    pub component: String,
    pub title: String,
}

impl Branch {
    /// oasdiff's name for a branch: `subschema #2: Title`, `#/components/schemas/Dog`
    /// or `subschema #2`.
    pub fn name(&self) -> String {
        if !self.title.is_empty() {
            format!("subschema #{}: {}", self.index + 1, self.title)
        } else if !self.component.is_empty() {
            format!("#/components/schemas/{}", self.component)
        } else {
            format!("subschema #{}", self.index + 1)
        }
    }
}

/// Two branches matched across versions, with their differences.
#[derive(Debug)]
pub struct ModifiedBranch<'a> {
    pub base: Branch,
    pub revision: Branch,
    pub diff: Rc<SchemaDiff<'a>>,
}

impl ModifiedBranch<'_> {
    /// `subschema #1` or `subschema #1 -> subschema #2` when the names differ.
    pub fn name(&self) -> String {
        let (base, revision) = (self.base.name(), self.revision.name());
        if base == revision {
            base
        } else {
            format!("{base} -> {revision}")
        }
    }
}

/// The branches of a list keyword added, deleted and modified.
#[derive(Debug, Default)]
pub struct BranchesDiff<'a> {
    pub added: Vec<Branch>,
    pub deleted: Vec<Branch>,
    pub modified: Vec<ModifiedBranch<'a>>,
}

impl BranchesDiff<'_> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.deleted.is_empty() && self.modified.is_empty()
    }
}

/// Named subschemas (`properties`, `patternProperties`, `dependentSchemas`).
#[derive(Debug, Default)]
pub struct NamedDiff<'a> {
    pub added: Vec<(String, Schema<'a>)>,
    pub deleted: Vec<(String, Schema<'a>)>,
    pub modified: Vec<(String, Rc<SchemaDiff<'a>>)>,
}

impl NamedDiff<'_> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.deleted.is_empty() && self.modified.is_empty()
    }
}

/// Every difference between two schemas (only built when there is one).
#[derive(Debug)]
pub struct SchemaDiff<'a> {
    pub base: Schema<'a>,
    pub revision: Schema<'a>,
    /// Keywords with a plain value (not a subschema) that differ.
    pub changed_keywords: Vec<&'a str>,
    pub properties: NamedDiff<'a>,
    pub pattern_properties: NamedDiff<'a>,
    pub dependent_schemas: NamedDiff<'a>,
    pub all_of: BranchesDiff<'a>,
    pub any_of: BranchesDiff<'a>,
    pub one_of: BranchesDiff<'a>,
    pub prefix_items: BranchesDiff<'a>,
    /// `items`, `additionalProperties`, `not`, `contains`, `propertyNames`,
    /// `unevaluatedItems`, `unevaluatedProperties`, `if`, `then`, `else`,
    /// `contentSchema`: keyword → slot.
    pub single: BTreeMap<&'static str, Slot<'a>>,
}

/// Keywords whose value is one subschema.
pub const SINGLE_SUBSCHEMA_KEYWORDS: [&str; 11] = [
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "if",
    "then",
    "else",
    "contentSchema",
];
const NAMED_SUBSCHEMA_KEYWORDS: [&str; 3] = ["properties", "patternProperties", "dependentSchemas"];
const LIST_SUBSCHEMA_KEYWORDS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords ignored when comparing: `$ref` siblings are followed instead, `$defs`
/// are compared where used.
const IGNORED_KEYWORDS: [&str; 2] = ["$ref", "$defs"];

impl<'a> SchemaDiff<'a> {
    pub fn keyword_changed(&self, key: &str) -> bool {
        self.changed_keywords.contains(&key)
    }

    pub fn slot(&self, key: &str) -> Option<&Slot<'a>> {
        self.single.get(key)
    }

    /// The modified `items` (or other single subschema) pair.
    pub fn child(&self, key: &str) -> Option<&SchemaDiff<'a>> {
        self.slot(key).and_then(Slot::modified)
    }

    pub fn branches(&self, keyword: &str) -> &BranchesDiff<'a> {
        match keyword {
            "allOf" => &self.all_of,
            "anyOf" => &self.any_of,
            "oneOf" => &self.one_of,
            _ => &self.prefix_items,
        }
    }
}

/// Builds schema diffs between two documents.
pub struct Walker<'w, 'a> {
    pub base: &'a Spec,
    pub revision: &'a Spec,
    /// Compare an inline branch with an equivalent `$ref` as the same branch.
    pub match_inline_refs: bool,
    /// Pairs being compared further up (pointer in base, pointer in revision).
    in_progress: Vec<PairKey>,
    /// The shallowest entry of `in_progress` that the current comparison
    /// assumed unchanged (a cycle), `usize::MAX` when none.
    shallowest_assumed: usize,
    /// Pairs found unchanged on the assumption that a pair still in progress
    /// is (the shallowest such depth): they become final when that pair is
    /// found unchanged too, and are dropped if it is not.
    provisional: HashMap<PairKey, usize>,
    /// The keys of `provisional` in the order they were found.
    provisional_order: Vec<PairKey>,
    cache: &'w SchemaCache<'a>,
}

impl<'w, 'a> Walker<'w, 'a> {
    pub fn new(
        base: &'a Spec,
        revision: &'a Spec,
        match_inline_refs: bool,
        cache: &'w SchemaCache<'a>,
    ) -> Walker<'w, 'a> {
        Walker {
            base,
            revision,
            match_inline_refs,
            in_progress: Vec::new(),
            shallowest_assumed: usize::MAX,
            provisional: HashMap::new(),
            provisional_order: Vec::new(),
            cache,
        }
    }

    /// The schema a (possibly `$ref`) value stands for in the base document.
    pub fn base_schema(&self, value: &'a Value, pointer: &str) -> Schema<'a> {
        schema_in(self.base, value, pointer)
    }

    pub fn revision_schema(&self, value: &'a Value, pointer: &str) -> Schema<'a> {
        schema_in(self.revision, value, pointer)
    }

    /// The differences between two schemas, `None` when they are the same.
    pub fn diff(&mut self, base: Schema<'a>, revision: Schema<'a>) -> Option<Rc<SchemaDiff<'a>>> {
        let key = (base.pointer.to_string(), revision.pointer.to_string());
        if let Some(depth) = self.in_progress.iter().position(|k| *k == key) {
            self.shallowest_assumed = self.shallowest_assumed.min(depth);
            return None;
        }
        if let Some(known) = self.cache.get(&key) {
            return known;
        }
        if let Some(&leaned_on) = self.provisional.get(&key) {
            self.shallowest_assumed = self.shallowest_assumed.min(leaned_on);
            return None;
        }
        let depth = self.in_progress.len();
        let outer_assumed = std::mem::replace(&mut self.shallowest_assumed, usize::MAX);
        let mark = self.provisional_order.len();
        self.in_progress.push(key);
        let result = self.diff_inner(base, revision).map(Rc::new);
        let key = self.in_progress.pop().expect("pushed above");
        let leaned_on = self.shallowest_assumed;
        let found_below = self.provisional_order.split_off(mark);
        if let Some(diff) = &result {
            // What was found unchanged below may have leaned on this pair.
            for dropped in found_below {
                self.provisional.remove(&dropped);
            }
            self.cache.insert_changed(key, Rc::clone(diff));
        } else if leaned_on >= depth {
            // Unchanged, leaning on nothing above: final, and so is all that
            // leaned on this pair.
            for settled in found_below {
                self.provisional.remove(&settled);
                self.cache.insert_same(settled);
            }
            self.cache.insert_same(key);
        } else {
            // Unchanged if the pair at `leaned_on` is: so is all found below.
            for pending in &found_below {
                if let Some(depth) = self.provisional.get_mut(pending) {
                    *depth = (*depth).min(leaned_on);
                }
            }
            self.provisional_order.extend(found_below);
            self.provisional.insert(key.clone(), leaned_on);
            self.provisional_order.push(key);
        }
        self.shallowest_assumed = outer_assumed.min(leaned_on);
        result
    }

    fn diff_inner(&mut self, base: Schema<'a>, revision: Schema<'a>) -> Option<SchemaDiff<'a>> {
        let mut diff = SchemaDiff {
            base: base.clone(),
            revision: revision.clone(),
            changed_keywords: Vec::new(),
            properties: NamedDiff::default(),
            pattern_properties: NamedDiff::default(),
            dependent_schemas: NamedDiff::default(),
            all_of: BranchesDiff::default(),
            any_of: BranchesDiff::default(),
            one_of: BranchesDiff::default(),
            prefix_items: BranchesDiff::default(),
            single: BTreeMap::new(),
        };
        let empty = Map::new();
        let base_map = base.object().unwrap_or(&empty);
        let revision_map = revision.object().unwrap_or(&empty);
        if base.value.is_object() != revision.value.is_object() && base.value != revision.value {
            // `true`/`false` schemas against an object schema.
            diff.changed_keywords.push("type");
        }
        let mut keys: Vec<&'a str> = Vec::new();
        for key in base_map.keys().chain(revision_map.keys()) {
            let key: &'a str = key_of(base.value, revision.value, key);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            if IGNORED_KEYWORDS.contains(&key) {
                continue;
            }
            let b = base.get(key);
            let r = revision.get(key);
            if let Some(single) = SINGLE_SUBSCHEMA_KEYWORDS.iter().find(|k| **k == key) {
                let b_schema = b.filter(|v| v.is_object());
                let r_schema = r.filter(|v| v.is_object());
                let slot = match (b_schema, r_schema) {
                    (Some(b_value), Some(r_value)) => {
                        let bs = self.base_schema(b_value, &child(&base.pointer, key));
                        let rs = self.revision_schema(r_value, &child(&revision.pointer, key));
                        self.diff(bs, rs).map(Slot::Modified)
                    }
                    (Some(b_value), None) => Some(Slot::Deleted(
                        self.base_schema(b_value, &child(&base.pointer, key)),
                    )),
                    (None, Some(r_value)) => Some(Slot::Added(
                        self.revision_schema(r_value, &child(&revision.pointer, key)),
                    )),
                    (None, None) => None,
                };
                if let Some(slot) = slot {
                    diff.single.insert(single, slot);
                }
                // `additionalProperties: false` and the like: plain values.
                let b_plain = b.filter(|v| !v.is_object());
                let r_plain = r.filter(|v| !v.is_object());
                if (b_plain.is_some() || r_plain.is_some()) && b_plain != r_plain {
                    diff.changed_keywords.push(key);
                }
            } else if NAMED_SUBSCHEMA_KEYWORDS.contains(&key) {
                let named = self.named(&base, &revision, key);
                match key {
                    "properties" => diff.properties = named,
                    "patternProperties" => diff.pattern_properties = named,
                    _ => diff.dependent_schemas = named,
                }
            } else if LIST_SUBSCHEMA_KEYWORDS.contains(&key) {
                let branches = self.branches(&base, &revision, key);
                match key {
                    "allOf" => diff.all_of = branches,
                    "anyOf" => diff.any_of = branches,
                    "oneOf" => diff.one_of = branches,
                    _ => diff.prefix_items = branches,
                }
            } else if b != r && !(key == "required" && same_set(b, r)) {
                diff.changed_keywords.push(key);
            }
        }
        let empty = diff.changed_keywords.is_empty()
            && diff.properties.is_empty()
            && diff.pattern_properties.is_empty()
            && diff.dependent_schemas.is_empty()
            && diff.all_of.is_empty()
            && diff.any_of.is_empty()
            && diff.one_of.is_empty()
            && diff.prefix_items.is_empty()
            && diff.single.is_empty();
        (!empty).then_some(diff)
    }

    fn named(&mut self, base: &Schema<'a>, revision: &Schema<'a>, keyword: &str) -> NamedDiff<'a> {
        let mut result = NamedDiff::default();
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(Map::new);
        let b = base
            .get(keyword)
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let r = revision
            .get(keyword)
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let b_pointer = child(&base.pointer, keyword);
        let r_pointer = child(&revision.pointer, keyword);
        for (name, b_value) in b {
            let bs = self.base_schema(b_value, &child(&b_pointer, name));
            match r.get(name) {
                Some(r_value) => {
                    let rs = self.revision_schema(r_value, &child(&r_pointer, name));
                    if let Some(d) = self.diff(bs, rs) {
                        result.modified.push((name.clone(), d));
                    }
                }
                None => result.deleted.push((name.clone(), bs)),
            }
        }
        for (name, r_value) in r {
            if !b.contains_key(name) {
                let rs = self.revision_schema(r_value, &child(&r_pointer, name));
                result.added.push((name.clone(), rs));
            }
        }
        result
    }

    fn list(
        &self,
        schema: &Schema<'a>,
        keyword: &str,
        base_side: bool,
    ) -> Vec<(Schema<'a>, Option<&'a str>)> {
        let pointer = child(&schema.pointer, keyword);
        schema
            .get(keyword)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let p = child(&pointer, &i.to_string());
                        let s = if base_side {
                            self.base_schema(v, &p)
                        } else {
                            self.revision_schema(v, &p)
                        };
                        {
                            let reference = s.reference;
                            (s, reference)
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Matches the branches of a list keyword the way oasdiff does.
    fn branches(
        &mut self,
        base: &Schema<'a>,
        revision: &Schema<'a>,
        keyword: &str,
    ) -> BranchesDiff<'a> {
        let b = self.list(base, keyword, true);
        let r = self.list(revision, keyword, false);
        let mut result = BranchesDiff::default();
        let branch = |s: &Schema<'a>, index: usize, titled: bool| Branch {
            index,
            component: s.component().to_string(),
            title: if titled {
                s.title().to_string()
            } else {
                String::new()
            },
        };
        // 1. `$ref` branches by reference.
        let mut taken_r: Vec<usize> = Vec::new();
        for (i, (bs, b_ref)) in b.iter().enumerate() {
            let Some(b_ref) = b_ref else { continue };
            let found = r
                .iter()
                .enumerate()
                .find(|(j, (_, r_ref))| *r_ref == Some(*b_ref) && !taken_r.contains(j));
            match found {
                Some((j, (rs, _))) => {
                    taken_r.push(j);
                    if let Some(d) = self.diff(bs.clone(), rs.clone()) {
                        result.modified.push(ModifiedBranch {
                            base: branch(bs, i, true),
                            revision: branch(rs, j, true),
                            diff: d,
                        });
                    }
                }
                None => result.deleted.push(branch(bs, i, false)),
            }
        }
        for (j, (rs, r_ref)) in r.iter().enumerate() {
            if r_ref.is_some() && !taken_r.contains(&j) {
                result.added.push(branch(rs, j, false));
            }
        }
        // 2. Inline branches: identical ones match, then by title, then a lone pair.
        let mut added = self.unmatched_inline(&r, &b, false);
        let mut deleted = self.unmatched_inline(&b, &r, true);
        let mut titles_matched: Vec<&str> = vec![""];
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for &j in &added {
            let title = r[j].0.title();
            if titles_matched.contains(&title) {
                continue;
            }
            if let Some(&i) = deleted.iter().find(|&&i| b[i].0.title() == title) {
                pairs.push((i, j));
                titles_matched.push(title);
            }
        }
        // The one untitled branch left on each side (after the titled pairs).
        let paired_b: Vec<usize> = pairs.iter().map(|&(i, _)| i).collect();
        let paired_r: Vec<usize> = pairs.iter().map(|&(_, j)| j).collect();
        let untitled =
            |list: &[usize], paired: &[usize], side: &[(Schema<'a>, Option<&'a str>)]| {
                let left: Vec<usize> = list
                    .iter()
                    .copied()
                    .filter(|x| !paired.contains(x))
                    .collect();
                match left.as_slice() {
                    [only] if side[*only].0.title().is_empty() => Some(*only),
                    _ => None,
                }
            };
        if let (Some(i), Some(j)) = (
            untitled(&deleted, &paired_b, &b),
            untitled(&added, &paired_r, &r),
        ) {
            pairs.push((i, j));
        }
        for &(i, j) in &pairs {
            added.retain(|x| *x != j);
            deleted.retain(|x| *x != i);
            if let Some(d) = self.diff(b[i].0.clone(), r[j].0.clone()) {
                result.modified.push(ModifiedBranch {
                    base: branch(&b[i].0, i, true),
                    revision: branch(&r[j].0, j, true),
                    diff: d,
                });
            }
        }
        result
            .added
            .extend(added.iter().map(|&j| branch(&r[j].0, j, true)));
        result
            .deleted
            .extend(deleted.iter().map(|&i| branch(&b[i].0, i, true)));
        // 3. An inline branch rewritten as an equivalent `$ref` (or back).
        if self.match_inline_refs && keyword != "allOf" {
            let mut matched_added: Vec<usize> = Vec::new();
            let mut matched_deleted: Vec<usize> = Vec::new();
            for (di, d) in result.deleted.iter().enumerate() {
                for (ai, a) in result.added.iter().enumerate() {
                    if matched_added.contains(&ai) {
                        continue;
                    }
                    let (bs, b_ref) = b[d.index].clone();
                    let (rs, r_ref) = r[a.index].clone();
                    if b_ref.is_some() == r_ref.is_some() {
                        continue;
                    }
                    if self.equivalent(bs, rs) {
                        matched_added.push(ai);
                        matched_deleted.push(di);
                        break;
                    }
                }
            }
            let mut ai = 0;
            result.added.retain(|_| {
                ai += 1;
                !matched_added.contains(&(ai - 1))
            });
            let mut di = 0;
            result.deleted.retain(|_| {
                di += 1;
                !matched_deleted.contains(&(di - 1))
            });
        }
        result
    }

    /// Inline branches of `from` with no identical inline branch in `to`.
    fn unmatched_inline(
        &mut self,
        from: &[(Schema<'a>, Option<&'a str>)],
        to: &[(Schema<'a>, Option<&'a str>)],
        from_is_base: bool,
    ) -> Vec<usize> {
        let mut matched: Vec<usize> = Vec::new();
        let mut unmatched = Vec::new();
        for (i, (s, reference)) in from.iter().enumerate() {
            if reference.is_some() {
                continue;
            }
            let found = to.iter().enumerate().position(|(j, (t, t_ref))| {
                if t_ref.is_some() || matched.contains(&j) {
                    return false;
                }
                let same = if from_is_base {
                    self.diff(s.clone(), t.clone()).is_none()
                } else {
                    self.diff(t.clone(), s.clone()).is_none()
                };
                same
            });
            match found {
                Some(j) => matched.push(j),
                None => unmatched.push(i),
            }
        }
        unmatched
    }

    /// Same validation, annotations (title, description, examples...) aside.
    pub fn equivalent(&mut self, base: Schema<'a>, revision: Schema<'a>) -> bool {
        match self.diff(base, revision) {
            None => true,
            Some(d) => annotation_only(&d),
        }
    }
}

/// Keywords that describe a schema without constraining values.
pub const ANNOTATION_KEYWORDS: [&str; 8] = [
    "title",
    "description",
    "example",
    "examples",
    "default",
    "externalDocs",
    "$comment",
    "deprecated",
];

/// Whether a diff changes nothing but annotations, anywhere down the tree.
pub fn annotation_only(d: &SchemaDiff) -> bool {
    d.changed_keywords
        .iter()
        .all(|k| ANNOTATION_KEYWORDS.contains(k) || k.starts_with("x-"))
        && d.properties.added.is_empty()
        && d.properties.deleted.is_empty()
        && d.properties
            .modified
            .iter()
            .all(|(_, m)| annotation_only(m))
        && d.pattern_properties.is_empty()
        && d.dependent_schemas.is_empty()
        && [&d.all_of, &d.any_of, &d.one_of, &d.prefix_items]
            .iter()
            .all(|b| {
                b.added.is_empty()
                    && b.deleted.is_empty()
                    && b.modified.iter().all(|m| annotation_only(&m.diff))
            })
        && d.single
            .values()
            .all(|s| s.modified().is_some_and(annotation_only))
}

/// Whether a schema holds only annotations (validates like `{}`).
pub fn is_annotation_only(schema: &Schema) -> bool {
    match schema.value {
        Value::Object(map) => map
            .keys()
            .all(|k| ANNOTATION_KEYWORDS.contains(&k.as_str()) || k.starts_with("x-")),
        Value::Bool(true) => true,
        _ => false,
    }
}

fn schema_in<'a>(spec: &'a Spec, value: &'a Value, pointer: &str) -> Schema<'a> {
    let reference = value.get("$ref").and_then(Value::as_str);
    let (resolved, resolved_pointer) = resolve(spec, value, pointer);
    Schema {
        value: resolved,
        pointer: resolved_pointer,
        reference,
    }
}

/// `pointer/token` with the token escaped (`~0`, `~1`).
pub fn child(pointer: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{pointer}/{escaped}")
}

fn key_of<'a>(base: &'a Value, revision: &'a Value, key: &str) -> &'a str {
    base.as_object()
        .and_then(|m| m.get_key_value(key))
        .or_else(|| revision.as_object().and_then(|m| m.get_key_value(key)))
        .map(|(k, _)| k.as_str())
        .unwrap_or("")
}

fn same_set(a: Option<&Value>, b: Option<&Value>) -> bool {
    let set = |v: Option<&Value>| {
        let mut items: Vec<String> = v
            .and_then(Value::as_array)
            .map(|l| l.iter().map(Value::to_string).collect())
            .unwrap_or_default();
        items.sort();
        items.dedup();
        items
    };
    set(a) == set(b)
}
