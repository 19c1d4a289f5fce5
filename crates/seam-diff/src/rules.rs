//! oasdiff's rule table (all 509 rules: id, level, check, direction, area and
//! message template), embedded from `rules.tsv`, and message rendering.

use crate::change::Level;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One rule of oasdiff's checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub level: Level,
    /// The oasdiff check function that raises it (`None` for the stability pass).
    pub check: Option<&'static str>,
    /// `request`, `response` or `none`.
    pub direction: &'static str,
    /// `paths`, `parameters`, `schema`, `security`, ...
    pub area: &'static str,
    /// The English message, `%s` (or `%v`) standing for each arg in order.
    pub message: &'static str,
}

const TABLE: &str = include_str!("rules.tsv");

fn table() -> &'static (Vec<Rule>, HashMap<&'static str, usize>) {
    static RULES: OnceLock<(Vec<Rule>, HashMap<&'static str, usize>)> = OnceLock::new();
    RULES.get_or_init(|| {
        let rules: Vec<Rule> = TABLE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(parse_line)
            .collect();
        let index = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        (rules, index)
    })
}

fn parse_line(line: &'static str) -> Rule {
    let mut fields = line.splitn(6, '\t');
    let mut next = || fields.next().unwrap_or("");
    let id = next();
    let level = next().parse().unwrap_or(Level::Info);
    let check = Some(next()).filter(|c| *c != "-");
    Rule {
        id,
        level,
        check,
        direction: next(),
        area: next(),
        message: next(),
    }
}

/// Every rule, in oasdiff's order.
pub fn all() -> &'static [Rule] {
    &table().0
}

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static Rule> {
    let (rules, index) = table();
    index.get(id).map(|&i| &rules[i])
}

/// The rule's message with each `%s`/`%v` replaced by the next arg in backticks
/// (as oasdiff prints them without colour). Missing args leave the placeholder.
pub fn render(message: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut args = args.iter();
    let mut rest = message;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let placeholder = &rest[at..(at + 2).min(rest.len())];
        if placeholder == "%s" || placeholder == "%v" {
            match args.next() {
                Some(arg) => {
                    out.push('`');
                    out.push_str(arg);
                    out.push('`');
                }
                None => out.push_str(placeholder),
            }
            rest = &rest[at + 2..];
        } else {
            out.push('%');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_all_of_oasdiffs_rules() {
        assert_eq!(all().len(), 509);
        let rule = get("api-path-removed-without-deprecation").unwrap();
        assert_eq!(rule.level, Level::Err);
        assert_eq!(rule.check, Some("APIRemovedCheck"));
        assert_eq!(rule.area, "paths");
        assert!(get("no-such-rule").is_none());
        assert!(all().iter().all(|r| !r.message.is_empty()));
    }

    #[test]
    fn args_fill_placeholders_in_backticks() {
        let rule = get("api-security-scope-removed").unwrap();
        assert_eq!(
            render(rule.message, &["read:pets".into(), "petstore_auth".into()]),
            "the security scope `read:pets` was removed from the endpoint's security scheme `petstore_auth`"
        );
        assert_eq!(render("100% %s", &[]), "100% %s");
    }
}
