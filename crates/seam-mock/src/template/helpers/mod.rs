//! WireMock's and Handlebars.java's helpers: what a helper returns ([`Out`]),
//! the adapter that registers a helper function with handlebars
//! ([`WireMockHelper`]) and the table of every helper by name. The helpers
//! themselves live in one module per family.

use std::fmt;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, ScopedJson,
};
use serde_json::Value;

use crate::template::helpers::call::{Call, HelperFn};
use crate::template::java_text::{json_text, value_text};

pub(crate) mod call;
pub(crate) mod dates;
pub(crate) mod format_xml;
pub(crate) mod json;
pub(crate) mod lists;
pub(crate) mod logic;
pub(crate) mod number_format;
pub(crate) mod numbers;
pub(crate) mod random;
pub(crate) mod regex;
pub(crate) mod strings;
pub(crate) mod xml;

/// Marker keys of values helpers produce.
pub(crate) const XML_KEY: &str = "__wm_xml";
pub(crate) const DATE_KEY: &str = "__wm_date";
pub(crate) const DATE_FORMAT: &str = "__wm_format";
pub(crate) const DATE_TZ: &str = "__wm_tz";

/// What a helper produced.
pub(crate) enum Out {
    /// A value: rendered as Java text (escaped when escaping is on).
    Val(Value),
    /// A value rendered the way `jsonPath` renders (objects and lists as JSON).
    Json(Value),
    /// A one-or-many list: the list as a value, its first item as text.
    ListOrSingle(Value),
    /// Rendered block content (not escaped again).
    Block(String),
    /// Nothing (variable assignment).
    Nothing,
}

impl Out {
    pub(crate) fn into_value(self) -> Value {
        match self {
            Out::Val(v) | Out::Json(v) | Out::ListOrSingle(v) => v,
            Out::Block(s) => Value::String(s),
            Out::Nothing => Value::Null,
        }
    }
}

pub(crate) fn text_out(v: impl Into<String>) -> Out {
    Out::Val(Value::String(v.into()))
}

/// A failure WireMock renders inline.
pub(crate) fn inline_error(msg: impl fmt::Display) -> Out {
    text_out(format!("[ERROR: {msg}]"))
}

/// A failure WireMock raises (the response fails).
pub(crate) fn raise(msg: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(msg.into()).into()
}

/// Adapts a [`HelperFn`] to handlebars.
pub(crate) struct WireMockHelper(pub(crate) HelperFn);

impl HelperDef for WireMockHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let out = (self.0)(&Call { h, r, ctx }, rc)?;
        Ok(ScopedJson::Derived(out.into_value()))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let result = (self.0)(&Call { h, r, ctx }, rc)?;
        let escape = |s: String| {
            if rc.is_disable_escape() {
                s
            } else {
                r.get_escape_fn()(&s)
            }
        };
        let text = match result {
            Out::Val(v) => escape(value_text(&v)),
            Out::Json(v) => escape(json_text(&v)),
            Out::ListOrSingle(Value::Array(a)) => {
                escape(a.first().map(value_text).unwrap_or_default())
            }
            Out::ListOrSingle(v) => escape(value_text(&v)),
            Out::Block(s) => s,
            Out::Nothing => return Ok(()),
        };
        out.write(&text)
            .map_err(|e| RenderErrorReason::Other(e.to_string()).into())
    }
}

pub(crate) const HELPERS: &[(&str, call::HelperFn)] = &[
    (crate::template::rewrite::RENDER, logic::render_value),
    (crate::template::rewrite::ITEM, lists::item),
    // conditionals (Handlebars.java's ConditionalHelpers)
    ("eq", logic::eq),
    ("neq", logic::neq),
    ("ne", logic::neq),
    ("gt", logic::compare_order::<{ logic::GT }>),
    ("gte", logic::compare_order::<{ logic::GTE }>),
    ("lt", logic::compare_order::<{ logic::LT }>),
    ("lte", logic::compare_order::<{ logic::LTE }>),
    ("and", logic::and),
    ("or", logic::or),
    ("not", logic::not),
    ("lookup", logic::lookup),
    ("assign", logic::assign),
    // Handlebars.java's StringHelpers and NumberHelper
    ("upper", strings::upper),
    ("lower", strings::lower),
    ("capitalize", strings::capitalize),
    ("capitalizeFirst", strings::capitalize_first),
    ("abbreviate", strings::abbreviate),
    ("center", strings::center),
    ("ljust", strings::ljust),
    ("rjust", strings::rjust),
    ("cut", strings::cut),
    ("defaultIfEmpty", strings::default_if_empty),
    ("replace", strings::replace),
    ("substring", strings::substring),
    ("slugify", strings::slugify),
    ("stripTags", strings::strip_tags),
    ("yesno", strings::yesno),
    ("dateFormat", dates::date_format),
    ("isEven", numbers::is_even),
    ("isOdd", numbers::is_odd),
    ("stripes", numbers::stripes),
    // WireMock's helpers
    ("jsonPath", json::json_path),
    ("xPath", xml::x_path),
    ("formatXml", format_xml::format_xml),
    ("soapXPath", xml::soap_x_path),
    ("now", dates::now),
    ("date", dates::date),
    ("parseDate", dates::parse_date),
    ("truncateDate", dates::truncate_date),
    ("randomValue", random::random_value),
    ("randomInt", random::random_int),
    ("randomDecimal", random::random_decimal),
    ("pickRandom", random::pick_random),
    ("numberFormat", number_format::number_format),
    ("math", numbers::math),
    ("maths", numbers::math),
    ("range", lists::range),
    ("array", lists::array),
    ("size", lists::size),
    ("join", lists::join),
    ("arrayJoin", lists::array_join),
    ("arrayAdd", lists::array_add),
    ("arrayRemove", lists::array_remove),
    ("trim", strings::trim),
    ("base64", strings::base64),
    ("urlEncode", strings::url_encode),
    ("formData", strings::form_data),
    ("regexExtract", regex::regex_extract),
    ("contains", lists::contains),
    ("matches", regex::matches),
    ("parseJson", json::parse_json),
    ("toJson", json::to_json),
    ("formatJson", json::format_json),
    ("jsonArrayAdd", json::json_array_add),
    ("jsonMerge", json::json_merge),
    ("jsonRemove", json::json_remove),
    ("val", logic::val),
    ("hostname", strings::hostname),
    ("systemValue", strings::system_value),
    // seam addition
    ("split", strings::split),
];
