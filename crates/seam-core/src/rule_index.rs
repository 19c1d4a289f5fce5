//! An index over a rule set's path expressions (a trie keyed by field, index and
//! `*`), so walking a document finds the rules for each location by following
//! the walk instead of testing every expression at every node.

use crate::path::{Segment, Token};
use crate::rules::{RuleList, RuleSet};
use std::collections::HashMap;

#[derive(Debug, Default)]
struct TrieNode {
    fields: HashMap<String, usize>,
    indexes: HashMap<usize, usize>,
    star: Option<usize>,
    /// Pact's weight for any location this node's expression names.
    weight: u64,
    depth: usize,
    /// The rule-set entry whose expression ends here.
    entry: Option<usize>,
}

/// The trie of a rule set's expressions.
#[derive(Debug, Default)]
pub struct RuleIndex {
    nodes: Vec<TrieNode>,
}

impl RuleIndex {
    /// Builds the trie from each expression's tokens; the n-th expression is rule-set
    /// entry n in lookups.
    pub fn build<'a>(exprs: impl Iterator<Item = &'a [Token]>) -> Self {
        let mut nodes = vec![TrieNode {
            weight: 2,
            ..Default::default()
        }];
        for (entry, tokens) in exprs.enumerate() {
            let mut at = 0;
            for t in tokens {
                let existing = match t {
                    Token::Field(f) => nodes[at].fields.get(f).copied(),
                    Token::Index(i) => nodes[at].indexes.get(i).copied(),
                    Token::Star => nodes[at].star,
                };
                at = match existing {
                    Some(n) => n,
                    None => {
                        let factor = if matches!(t, Token::Star) { 1 } else { 2 };
                        let node = TrieNode {
                            weight: nodes[at].weight.saturating_mul(factor),
                            depth: nodes[at].depth + 1,
                            ..Default::default()
                        };
                        nodes.push(node);
                        let n = nodes.len() - 1;
                        match t {
                            Token::Field(f) => {
                                nodes[at].fields.insert(f.clone(), n);
                            }
                            Token::Index(i) => {
                                nodes[at].indexes.insert(*i, n);
                            }
                            Token::Star => nodes[at].star = Some(n),
                        }
                        n
                    }
                };
            }
            nodes[at].entry.get_or_insert(entry);
        }
        RuleIndex { nodes }
    }
}

/// A position in a document walk: which expressions still match, and the best
/// rule inherited from an ancestor.
#[derive(Debug, Clone)]
pub struct RuleCursor<'a> {
    set: &'a RuleSet,
    index: &'a RuleIndex,
    frontier: Vec<usize>,
    /// (weight, depth, entry) of the heaviest expression naming an ancestor.
    inherited: Option<(u64, usize, usize)>,
}

impl<'a> RuleCursor<'a> {
    /// The cursor at the document root.
    pub fn root(set: &'a RuleSet) -> Self {
        let index = set.index();
        RuleCursor {
            set,
            index,
            frontier: if set.is_empty() { Vec::new() } else { vec![0] },
            inherited: None,
        }
    }

    fn best_here(&self) -> Option<(u64, usize, usize)> {
        self.frontier
            .iter()
            .filter_map(|&n| {
                let node = &self.index.nodes[n];
                node.entry.map(|e| (node.weight, node.depth, e))
            })
            .max_by_key(|(w, d, _)| (*w, *d))
    }

    /// The cursor one step down.
    pub fn child(&self, seg: &Segment) -> Self {
        let inherited = match (self.inherited, self.best_here()) {
            (Some(a), Some(b)) => Some(if (b.0, b.1) > (a.0, a.1) { b } else { a }),
            (a, b) => a.or(b),
        };
        let mut frontier = Vec::new();
        for &n in &self.frontier {
            let node = &self.index.nodes[n];
            let exact = match seg {
                Segment::Field(f) => node.fields.get(f),
                Segment::Index(i) => node.indexes.get(i),
            };
            frontier.extend(exact.copied());
            frontier.extend(node.star);
        }
        RuleCursor {
            set: self.set,
            index: self.index,
            frontier,
            inherited,
        }
    }

    /// The rules of the heaviest expression naming exactly this location, with its weight.
    pub fn exact(&self) -> Option<(u64, &'a RuleList)> {
        self.best_here().map(|(w, _, e)| (w, self.set.entry(e)))
    }

    /// The rules of the heaviest expression naming an ancestor, with its weight.
    pub fn inherited(&self) -> Option<(u64, &'a RuleList)> {
        self.inherited.map(|(w, _, e)| (w, self.set.entry(e)))
    }

    /// True when no expression can name this location or a descendant.
    pub fn is_dead(&self) -> bool {
        self.frontier.is_empty() && self.inherited.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::DocPath;
    use serde_json::json;

    /// The trie must pick what a scan of every expression picks.
    #[test]
    fn agrees_with_a_full_scan() {
        let set = RuleSet::from_v3_json(&json!({
            "$": {"matchers": [{"match": "type"}]},
            "$.a": {"matchers": [{"match": "type", "min": 1}]},
            "$.a[*]": {"matchers": [{"match": "integer"}]},
            "$.a[1]": {"matchers": [{"match": "decimal"}]},
            "$.*.b": {"matchers": [{"match": "null"}]},
            "$.x.b": {"matchers": [{"match": "boolean"}]},
            "$['x'].c[*].d": {"matchers": [{"match": "semver"}]}
        }))
        .unwrap();
        let paths = [
            DocPath::root(),
            DocPath::root().field("a"),
            DocPath::root().field("a").index(0),
            DocPath::root().field("a").index(1),
            DocPath::root().field("a").index(1).field("z"),
            DocPath::root().field("x").field("b"),
            DocPath::root().field("y").field("b"),
            DocPath::root().field("x").field("c").index(4).field("d"),
            DocPath::root().field("q"),
        ];
        for p in &paths {
            let mut cursor = RuleCursor::root(&set);
            for seg in p.segments() {
                cursor = cursor.child(seg);
            }
            let exact = cursor.exact().map(|(_, l)| l);
            assert_eq!(exact, set.exact_for(p), "exact rules at {p}");
            // the heaviest of everything covering the path, exact or inherited
            let best = match (cursor.exact(), cursor.inherited()) {
                (Some((we, e)), Some((wi, i))) => Some(if wi > we { i } else { e }),
                (e, i) => e.or(i).map(|(_, l)| l),
            };
            assert_eq!(best, set.best_for(p), "best rules at {p}");
        }
    }
}
