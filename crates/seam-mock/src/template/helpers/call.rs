//! One helper invocation ([`Call`]): its arguments resolved the way WireMock's
//! helpers see them (one-or-many lists give their first value, `request.path`
//! its text, names missing in a block scope looked up from the root), blocks,
//! branches and variables.

use handlebars::{
    BlockContext, Context, Handlebars, Helper, PathAndJson, RenderContext, RenderError, Renderable,
};
use serde_json::{Map, Value};

use crate::template::helpers::{Out, XML_KEY};
use crate::template::java_text::{int_of, value_text};
use crate::template::model::{LIST_OR_SINGLE_VARS, MULTI};

#[derive(Debug, PartialEq)]
pub(crate) enum Kind {
    Plain,
    /// A one-or-many list (renders its first value).
    ListOrSingle,
    /// `request.path` / `request.pathSegments` (renders the path text).
    PathText,
}

/// `this.a.[b c]/d` → `["a", "b c", "d"]`.
pub(crate) fn split_raw_path(raw: &str) -> Vec<String> {
    let mut s = raw;
    loop {
        if let Some(r) = s.strip_prefix("this.").or_else(|| s.strip_prefix("this/")) {
            s = r;
        } else if let Some(r) = s.strip_prefix("./").or_else(|| s.strip_prefix("../")) {
            s = r;
        } else if let Some(r) = s
            .strip_prefix("@root.")
            .or_else(|| s.strip_prefix("@root/"))
        {
            s = r;
        } else {
            break;
        }
    }
    if s == "this" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '.' | '/' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

pub(crate) fn path_segments(p: &PathAndJson) -> Option<Vec<String>> {
    match p.context_path() {
        Some(cp) => Some(cp.clone()),
        None => p.relative_path().map(|raw| split_raw_path(raw)),
    }
}

pub(crate) fn kind_of_segments(segs: &[String], data: &Value) -> Kind {
    match segs {
        [r, p] if r == "request" && (p == "path" || p == "pathSegments") => Kind::PathText,
        [r, m, _] if r == "request" && MULTI.contains(&m.as_str()) => Kind::ListOrSingle,
        [first, rest @ ..] => {
            let depth = data
                .get(LIST_OR_SINGLE_VARS)
                .and_then(|m| m.get(first))
                .and_then(Value::as_u64);
            if depth == Some(rest.len() as u64 + 1) {
                Kind::ListOrSingle
            } else {
                Kind::Plain
            }
        }
        [] => Kind::Plain,
    }
}

pub(crate) fn kind_of(p: &PathAndJson, data: &Value) -> Kind {
    path_segments(p)
        .map(|s| kind_of_segments(&s, data))
        .unwrap_or(Kind::Plain)
}

/// The value a helper argument stands for: one-or-many lists give their first
/// value, `request.path` its text, XPath node lists their first node.
pub(crate) fn scalar(p: &PathAndJson, data: &Value) -> Value {
    if p.is_value_missing() {
        return Value::Null;
    }
    let v = p.value();
    match kind_of(p, data) {
        Kind::PathText => data
            .pointer("/request/__path")
            .cloned()
            .unwrap_or(Value::Null),
        Kind::ListOrSingle => match v {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        },
        Kind::Plain => match v {
            Value::Array(a) if is_node_list(a) => a[0].clone(),
            other => other.clone(),
        },
    }
}

/// A value with one-or-many lists reduced to a scalar when single (as WireMock
/// serialises them), for `toJson`.
pub(crate) fn collapse_lists(p: &PathAndJson, data: &Value) -> Value {
    let v = p.value();
    let single = |x: &Value| match x {
        Value::Array(a) if a.len() == 1 => a[0].clone(),
        other => other.clone(),
    };
    let segs = path_segments(p).unwrap_or_default();
    if kind_of_segments(&segs, data) == Kind::ListOrSingle {
        return single(v);
    }
    // a variable holding a map of one-or-many lists (`formData`)
    let map_of_lists = match segs.as_slice() {
        [name] => {
            data.get(LIST_OR_SINGLE_VARS)
                .and_then(|m| m.get(name))
                .and_then(Value::as_u64)
                == Some(2)
        }
        _ => false,
    };
    match (segs.as_slice(), v) {
        ([r, h], Value::Object(map)) if r == "request" && h == "headers" => {
            // names as WireMock (Jetty) shows them (hyper gives them
            // lower-cased), sorted ignoring case
            let mut entries: Vec<(String, Value)> = map
                .iter()
                .map(|(k, x)| (crate::admin::header_case(k), single(x)))
                .collect();
            entries.sort_by_key(|(k, _)| k.to_ascii_lowercase());
            Value::Object(entries.into_iter().collect())
        }
        ([r, m], Value::Object(map)) if r == "request" && MULTI.contains(&m.as_str()) => {
            Value::Object(map.iter().map(|(k, x)| (k.clone(), single(x))).collect())
        }
        (_, Value::Object(map)) if map_of_lists => {
            Value::Object(map.iter().map(|(k, x)| (k.clone(), single(x))).collect())
        }
        _ => v.clone(),
    }
}

pub(crate) fn is_node_list(a: &[Value]) -> bool {
    a.first().and_then(|f| f.get(XML_KEY)).is_some()
}

pub(crate) type HelperFn = for<'a, 'reg, 'rc> fn(
    &Call<'a, 'reg, 'rc>,
    &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError>;

/// One helper invocation.
pub(crate) struct Call<'a, 'reg, 'rc> {
    pub(crate) h: &'a Helper<'rc>,
    pub(crate) r: &'reg Handlebars<'reg>,
    pub(crate) ctx: &'rc Context,
}

impl<'reg: 'rc, 'rc> Call<'_, 'reg, 'rc> {
    pub(crate) fn arg_count(&self) -> usize {
        self.h.params().len()
    }

    pub(crate) fn arg(&self, i: usize) -> Option<&PathAndJson<'rc>> {
        self.h.param(i).filter(|p| !p.is_value_missing())
    }

    /// An argument's value as given (lists stay lists).
    pub(crate) fn raw(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<Value> {
        let p = self.h.param(i)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, false);
        }
        Some(p.value().clone())
    }

    /// Handlebars.java resolves a name missing in the current scope from the
    /// outer ones; handlebars-rust cannot once a block iterates a computed value,
    /// so simple names fall back to the root (where variables live).
    pub(crate) fn root_lookup(
        &self,
        p: &PathAndJson<'rc>,
        rc: &RenderContext<'reg, 'rc>,
        scalarize: bool,
    ) -> Option<Value> {
        let raw = p.relative_path()?;
        if raw.is_empty()
            || raw.starts_with(['@', '.'])
            || raw == "this"
            || raw.starts_with("this.")
        {
            return None;
        }
        let segs = split_raw_path(raw);
        self.data(rc, |d| {
            let mut cur = d;
            for s in &segs {
                cur = match cur {
                    Value::Object(m) => m.get(s)?,
                    Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            Some(match (scalarize, kind_of_segments(&segs, d), cur) {
                (true, Kind::ListOrSingle, Value::Array(a)) => {
                    a.first().cloned().unwrap_or(Value::Null)
                }
                (true, Kind::PathText, _) => {
                    d.pointer("/request/__path").cloned().unwrap_or(Value::Null)
                }
                _ => cur.clone(),
            })
        })
    }

    pub(crate) fn data<T>(&self, rc: &RenderContext<'reg, 'rc>, f: impl FnOnce(&Value) -> T) -> T {
        match rc.context() {
            Some(c) => f(c.data()),
            None => f(self.ctx.data()),
        }
    }

    /// An argument's value as WireMock's helpers see it (see [`scalar`]).
    pub(crate) fn val(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<Value> {
        let p = self.h.param(i)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, true);
        }
        Some(self.data(rc, |d| scalar(p, d)))
    }

    pub(crate) fn text(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<String> {
        self.val(i, rc).map(|v| value_text(&v))
    }

    pub(crate) fn hp(&self, key: &str) -> Option<&PathAndJson<'rc>> {
        self.h.hash_get(key).filter(|p| !p.is_value_missing())
    }

    pub(crate) fn hash_val(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<Value> {
        let p = self.h.hash_get(key)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, true);
        }
        Some(self.data(rc, |d| scalar(p, d)))
    }

    pub(crate) fn hash_text(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<String> {
        self.hash_val(key, rc)
            .filter(|v| !v.is_null())
            .map(|v| value_text(&v))
    }

    pub(crate) fn hash_bool(&self, key: &str) -> bool {
        match self.hp(key).map(PathAndJson::value) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    pub(crate) fn hash_int(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<i64> {
        self.hash_val(key, rc).and_then(|v| int_of(&v))
    }

    /// The rendered block, when called as a block helper.
    pub(crate) fn block(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<Option<String>, RenderError> {
        if !self.h.is_block() {
            return Ok(None);
        }
        match self.h.template() {
            Some(t) => t.renders(self.r, self.ctx, rc).map(Some),
            None => Ok(Some(String::new())),
        }
    }

    /// The block (or `{{else}}` part) for a condition; `yes=`/`no=` or the
    /// boolean when not a block.
    pub(crate) fn branch(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
        result: bool,
    ) -> Result<Out, RenderError> {
        if self.h.is_block() {
            let t = if result {
                self.h.template()
            } else {
                self.h.inverse()
            };
            return Ok(Out::Block(match t {
                Some(t) => t.renders(self.r, self.ctx, rc)?,
                None => String::new(),
            }));
        }
        let key = if result { "yes" } else { "no" };
        Ok(Out::Val(
            self.hp(key)
                .map(|p| p.value().clone())
                .unwrap_or(Value::Bool(result)),
        ))
    }

    /// Renders the block with `item` as its context.
    pub(crate) fn block_with(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
        item: &Value,
    ) -> Result<String, RenderError> {
        let Some(t) = self.h.template() else {
            return Ok(String::new());
        };
        let mut block = BlockContext::new();
        block.set_base_value(item.clone());
        // `as |item|`
        if let Some(name) = self.h.block_param() {
            let mut params = handlebars::BlockParams::new();
            params.add_value(name, item.clone())?;
            block.set_block_params(params);
        }
        rc.push_block(block);
        let result = t.renders(self.r, self.ctx, rc);
        rc.pop_block();
        result
    }

    /// Sets a root-level variable (Handlebars.java's `context.data(name, value)`).
    pub(crate) fn set_var(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
        name: &str,
        value: Value,
        list_depth: Option<u64>,
    ) -> Result<(), RenderError> {
        let mut data = self.data(rc, Value::clone);
        if let Value::Object(m) = &mut data {
            m.insert(name.to_string(), value);
            let los = m
                .entry(LIST_OR_SINGLE_VARS)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(los) = los {
                match list_depth {
                    Some(d) => {
                        los.insert(name.to_string(), Value::from(d));
                    }
                    None => {
                        los.remove(name);
                    }
                }
            }
        }
        rc.set_context(Context::from(data));
        Ok(())
    }
}

/// Missing, or (once a variable changed the context, when handlebars-rust
/// reports misses as `null`) a null that came from no context location.
pub(crate) fn unresolved(p: &PathAndJson) -> bool {
    p.is_value_missing() || p.value().is_null() && p.context_path().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_paths_split() {
        assert_eq!(split_raw_path("this.a.[b c]/d"), vec!["a", "b c", "d"]);
    }
}
