//! Self-contained HTML report pages (no scripts or assets to fetch): the one
//! page shell and stylesheet the suite, verification and pipeline reports share.

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The summary line: `N passed  M failed  (extra)`.
pub fn summary(passed: usize, failed: usize, extra: &str) -> String {
    format!(
        "<p class=\"sum\"><b class=\"ok\">{passed} passed</b><b class=\"ko\">{failed} failed</b>{}</p>\n",
        escape(extra)
    )
}

/// A whole page: `title` (escaped) as title and heading, `body` as given.
pub fn page(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }}
h1 {{ font-size: 1.3em; }} h2 {{ font-size: 1.1em; margin-top: 1.6em; }} .sum b {{ margin-right: 1em; }}
.ok {{ color: #1a7f37; }} .ko {{ color: #c62828; }} .skip {{ color: #888; }}
details {{ border: 1px solid #ddd; border-radius: 6px; margin: .4em 0; padding: .3em .8em; }}
details.fail {{ border-color: #d33; }} summary {{ cursor: pointer; }}
.pass > summary b, li.pass {{ color: #1a7f37; }} .fail > summary b, li.fail {{ color: #c62828; }}
li {{ color: #222; }} li.skip {{ color: #888; }} .t {{ color: #888; float: right; }}
table {{ border-collapse: collapse; }} td, th {{ padding: .2em .8em; border-bottom: 1px solid #eee; text-align: left; }}
pre {{ background: #f6f8fa; padding: .5em; overflow-x: auto; white-space: pre-wrap; color: #222; }}
code {{ background: #f6f8fa; padding: 0 .2em; color: #222; }}
</style></head><body>
<h1>{title}</h1>
{body}</body></html>
"#
    )
}
