//! pact-matching-compare: times the official `pact_matching` crate against
//! Seamline's matcher on the same input, in one run.
//!
//! Input: a Pact v3 document with one interaction whose response body is a
//! JSON object of 100 groups x 10 fields (1,000 fields, one matching rule
//! each), and an "actual" body that is a different instance of the same shape
//! (different values, same types, different array lengths). Every matcher is
//! first checked to report zero mismatches on that input and at least one
//! mismatch once a single value changes type; then each is timed for at least
//! `MEASURE` after a `WARMUP`.
//!
//! Run with `cargo run --release` from this directory. See README.md.

use std::collections::HashMap;
use std::hint::black_box;
use std::panic::RefUnwindSafe;
use std::time::{Duration, Instant};

use futures::executor::block_on;
use pact_matching::{
    match_body, match_response, CoreMatchingContext, DiffConfig, HeaderMatchingContext, Mismatch,
};
use pact_models::bodies::OptionalBody;
use pact_models::interaction::Interaction;
use pact_models::pact::{load_pact_from_json, Pact};
use pact_models::v4::http_parts::HttpResponse;
use pact_models::PactSpecification;
use serde_json::{json, Map, Value};

/// Set to `true` once [`seam_side`] runs Seamline's real matcher.
const SEAM_WIRED: bool = true;

/// Versions pinned with `=` in Cargo.toml (printed in the report).
const PACT_MATCHING_VERSION: &str = "2.1.0";
const PACT_MODELS_VERSION: &str = "1.3.17";

/// Input shape: `GROUPS` objects of `FIELDS_PER_GROUP` fields = 1,000 fields.
const GROUPS: usize = 100;
const FIELDS_PER_GROUP: usize = 10;
/// Seeds of the two deterministic instances of the body.
const EXPECTED_SEED: u64 = 0x5EA4_0001;
const ACTUAL_SEED: u64 = 0x5EA4_0002;
/// The field whose type the sanity check breaks (an integer field).
const BROKEN_GROUP: &str = "group_042";
const BROKEN_FIELD: &str = "f_1";

const REGEX: &str = "^[a-z]+_[0-9]+$";
const WORDS: [&str; 8] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
];

/// Timing: warm-up time (and minimum warm-up iterations), then the timed run
/// lasts at least `MEASURE`, checking the clock once per batch of ~`BATCH`.
const WARMUP: Duration = Duration::from_millis(500);
const MIN_WARMUP_ITERS: u32 = 5;
const MEASURE: Duration = Duration::from_secs(2);
const BATCH: Duration = Duration::from_millis(10);

/// One prepared matcher: each call runs one full match and returns the number
/// of mismatches found.
type MatchFn = Box<dyn FnMut() -> usize>;

// ---------------------------------------------------------------------------
// Seamline side
// ---------------------------------------------------------------------------

/// Seamline's matcher on the same input as the pact_matching side.
///
/// Contract: do all one-off work (parsing the pact, compiling the rules) here,
/// outside the returned closure; the closure runs ONE match of `actual_body`
/// against the interaction's response body + body matching rules in
/// `pact_json`, and returns the number of mismatches. Then set `SEAM_WIRED`.
fn seam_side(pact_json: &str, actual_body: &Value) -> MatchFn {
    use seam_core::http::{Body, Response};
    use seam_core::interaction::Exchange;
    let pact = seam_pact::read_pact_str("bench.json", pact_json).expect("the bench pact parses");
    let Exchange::Http { response, .. } = &pact.interactions[0].exchange else {
        panic!("the bench pact holds an HTTP interaction")
    };
    let expected = response.response.clone();
    let rules = response.rules.clone();
    // The actual response arrives as bytes, as from a socket: each match parses
    // it, as pact_matching does.
    let bytes = serde_json::to_vec(actual_body).expect("serializes");
    let headers = expected.headers.clone();
    Box::new(move || {
        let actual = Response {
            status: expected.status,
            headers: headers.clone(),
            body: Body::from_bytes(&bytes, headers.content_type().as_ref()),
        };
        seam_core::matching::match_response(&expected, &actual, &rules).len()
    })
}

// ---------------------------------------------------------------------------
// Input generation (deterministic)
// ---------------------------------------------------------------------------

/// SplitMix64: tiny deterministic generator, so no `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A string matching [`REGEX`], e.g. `delta_4711`.
    fn token(&mut self) -> String {
        let word = WORDS[self.below(WORDS.len() as u64) as usize];
        format!("{word}_{}", self.below(100_000))
    }

    fn integer(&mut self) -> Value {
        json!(self.below(1_000_000))
    }

    /// Always has a non-zero fractional part, so it serialises with a `.`.
    fn decimal(&mut self) -> Value {
        json!(self.below(10_000) as f64 + (1 + self.below(99)) as f64 / 100.0)
    }

    fn text(&mut self) -> Value {
        json!(format!("text {} {}", self.token(), self.below(1_000)))
    }
}

/// The type of each field of a group, and the rule the pact attaches to it.
fn field_rule(field: usize) -> Value {
    match field {
        0 | 9 => json!({ "match": "regex", "regex": REGEX }),
        1 => json!({ "match": "integer" }),
        2 => json!({ "match": "decimal" }),
        5 => json!({ "match": "type", "min": 1 }),
        _ => json!({ "match": "type" }),
    }
}

fn field_value(field: usize, rng: &mut Rng) -> Value {
    match field {
        0 | 9 => json!(rng.token()),
        1 | 7 => rng.integer(),
        2 | 8 => rng.decimal(),
        3 => json!(rng.below(2) == 1),
        4 => rng.text(),
        5 => {
            let len = 1 + rng.below(4) as usize;
            Value::Array((0..len).map(|_| rng.text()).collect())
        }
        6 => json!({
            "id": rng.integer(),
            "code": rng.token(),
            "active": rng.below(2) == 1,
        }),
        _ => unreachable!("FIELDS_PER_GROUP is 10"),
    }
}

fn group_name(group: usize) -> String {
    format!("group_{group:03}")
}

/// `{"group_000": {"f_0": ..., ..., "f_9": ...}, ..., "group_099": {...}}`.
fn build_body(seed: u64) -> Value {
    let mut rng = Rng(seed);
    let mut body = Map::new();
    for group in 0..GROUPS {
        let fields = (0..FIELDS_PER_GROUP)
            .map(|field| (format!("f_{field}"), field_value(field, &mut rng)))
            .collect();
        body.insert(group_name(group), Value::Object(fields));
    }
    Value::Object(body)
}

/// v3 body matching rules: one rule per field, 1,000 in all.
fn build_body_rules() -> Value {
    let mut rules = Map::new();
    for group in 0..GROUPS {
        for field in 0..FIELDS_PER_GROUP {
            rules.insert(
                format!("$.{}.f_{field}", group_name(group)),
                json!({ "matchers": [field_rule(field)], "combine": "AND" }),
            );
        }
    }
    Value::Object(rules)
}

/// A complete Pact v3 document with one interaction whose response carries
/// `expected_body` and the body matching rules.
fn build_pact_json(expected_body: &Value) -> String {
    let pact = json!({
        "consumer": { "name": "bench-consumer" },
        "provider": { "name": "bench-provider" },
        "interactions": [{
            "description": "a response with a 1,000-field JSON body",
            "request": { "method": "GET", "path": "/bench" },
            "response": {
                "status": 200,
                "headers": { "Content-Type": "application/json" },
                "body": expected_body,
                "matchingRules": { "body": build_body_rules() }
            }
        }],
        "metadata": { "pactSpecification": { "version": "3.0.0" } }
    });
    serde_json::to_string_pretty(&pact).expect("pact serialises")
}

/// Counts the leaves (strings, numbers, booleans, nulls) of a JSON value.
fn count_leaves(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(count_leaves).sum(),
        Value::Array(items) => items.iter().map(count_leaves).sum(),
        _ => 1,
    }
}

// ---------------------------------------------------------------------------
// pact_matching side
// ---------------------------------------------------------------------------

/// Everything pact_matching needs, prepared once outside the timed loop.
struct PactFixture {
    pact: Box<dyn Pact + Send + Sync + RefUnwindSafe>,
    interaction: Box<dyn Interaction + Send + Sync + RefUnwindSafe>,
    expected: HttpResponse,
    actual: HttpResponse,
}

fn pact_fixture(pact_json: &str, actual_body: &Value) -> PactFixture {
    let json: Value = serde_json::from_str(pact_json).expect("pact JSON parses");
    let pact = load_pact_from_json("pact-matching-compare", &json).expect("pact_models loads it");
    assert_eq!(pact.specification_version(), PactSpecification::V3);
    let interactions = pact.interactions();
    assert_eq!(interactions.len(), 1);
    // The V3 interaction as a V4 synchronous HTTP one, the same conversion
    // `pact_matching::match_interaction_response` does.
    let http = interactions[0]
        .as_v4_http()
        .expect("an HTTP request/response interaction");
    let expected = http.response.clone();
    assert_eq!(
        expected
            .matching_rules
            .rules_for_category("body")
            .map(|rules| rules.rules.len()),
        Some(GROUPS * FIELDS_PER_GROUP),
        "every body rule is parsed"
    );
    let actual = HttpResponse {
        status: 200,
        headers: Some(HashMap::from([(
            "Content-Type".to_string(),
            vec!["application/json".to_string()],
        )])),
        // Raw bytes with no content type of their own, as if read off the
        // wire: the content type comes from the header, as in the pact.
        body: OptionalBody::from(actual_body.to_string()),
        ..HttpResponse::default()
    };
    PactFixture {
        pact,
        interaction: http.boxed(),
        expected,
        actual,
    }
}

/// Full response match through the public entry point. `match_response` takes
/// both responses by value, so each call clones them (the body bytes are
/// reference-counted; the 1,000 rules are deep-copied), as any caller must.
fn pact_match_response_mismatches(pact_json: &str, actual_body: &Value) -> Vec<Mismatch> {
    let f = pact_fixture(pact_json, actual_body);
    block_on(match_response(
        f.expected.clone(),
        f.actual.clone(),
        &f.pact,
        &f.interaction,
    ))
    .expect("match_response")
}

fn pact_match_response(pact_json: &str, actual_body: &Value) -> MatchFn {
    let f = pact_fixture(pact_json, actual_body);
    Box::new(move || {
        block_on(match_response(
            f.expected.clone(),
            f.actual.clone(),
            &f.pact,
            &f.interaction,
        ))
        .expect("match_response")
        .len()
    })
}

/// Body only, by reference, with the matching contexts built once: the part
/// of `match_response` that does the JSON work (it still parses both bodies
/// from bytes on every call, as pact_matching stores bodies as bytes).
fn pact_match_body(pact_json: &str, actual_body: &Value) -> MatchFn {
    let f = pact_fixture(pact_json, actual_body);
    let body_context = CoreMatchingContext {
        matchers: f
            .expected
            .matching_rules
            .rules_for_category("body")
            .unwrap_or_default(),
        config: DiffConfig::AllowUnexpectedKeys,
        ..CoreMatchingContext::default()
    };
    let header_context = HeaderMatchingContext::new(&CoreMatchingContext::with_config(
        DiffConfig::NoUnexpectedKeys,
    ));
    Box::new(move || {
        block_on(match_body(
            &f.expected,
            &f.actual,
            &body_context,
            &header_context,
        ))
        .mismatches()
        .len()
    })
}

/// Reference only: parsing both bodies with serde_json, which pact_matching
/// does inside every call above.
fn parse_both_bodies(pact_json: &str, actual_body: &Value) -> MatchFn {
    let f = pact_fixture(pact_json, actual_body);
    let expected = f.expected.body.value().expect("expected body");
    let actual = f.actual.body.value().expect("actual body");
    Box::new(move || {
        let e: Value = serde_json::from_slice(&expected).expect("expected body parses");
        let a: Value = serde_json::from_slice(&actual).expect("actual body parses");
        black_box((e, a));
        0
    })
}

/// pact_matching picks its engine per call from `PACT_MATCHING_ENGINE`
/// ("v2" = the newer plan-based engine; anything else = the classic one).
fn set_pact_engine(v2: bool) {
    // Single-threaded at every call site.
    if v2 {
        std::env::set_var("PACT_MATCHING_ENGINE", "v2");
    } else {
        std::env::remove_var("PACT_MATCHING_ENGINE");
    }
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

struct Measurement {
    iterations: u64,
    elapsed: Duration,
    /// Fastest batch, per call (batches are 1 call for slow matchers).
    best: Duration,
}

impl Measurement {
    fn ops_per_sec(&self) -> f64 {
        self.iterations as f64 / self.elapsed.as_secs_f64()
    }

    fn mean_us(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / self.iterations as f64
    }

    fn best_us(&self) -> f64 {
        self.best.as_secs_f64() * 1e6
    }
}

/// Warm-up, then runs batches of calls until at least `MEASURE` has passed.
/// Every call must report zero mismatches (checked after the timed loop).
fn measure(run: &mut MatchFn) -> Measurement {
    let warm_start = Instant::now();
    let mut warm_iters = 0u32;
    while warm_iters < MIN_WARMUP_ITERS || warm_start.elapsed() < WARMUP {
        assert_eq!(black_box(run()), 0, "mismatch during warm-up");
        warm_iters += 1;
    }
    let per_iter = (warm_start.elapsed() / warm_iters).as_nanos().max(1);
    let batch = (BATCH.as_nanos() / per_iter).clamp(1, 1_000_000) as u32;

    let mut iterations = 0u64;
    let mut mismatches = 0usize;
    let mut best = Duration::MAX;
    let start = Instant::now();
    let mut batch_start = start;
    loop {
        for _ in 0..batch {
            mismatches += black_box(run());
        }
        iterations += u64::from(batch);
        let now = Instant::now();
        best = best.min((now - batch_start) / batch);
        batch_start = now;
        if now - start >= MEASURE {
            break;
        }
    }
    let elapsed = batch_start - start;
    assert_eq!(mismatches, 0, "mismatch during the timed run");
    Measurement {
        iterations,
        elapsed,
        best,
    }
}

/// Checks that a matcher accepts the matching body and rejects the broken one.
fn validate(name: &str, make: fn(&str, &Value) -> MatchFn, pact: &str, ok: &Value, bad: &Value) {
    let found = make(pact, ok)();
    assert_eq!(
        found, 0,
        "{name}: expected no mismatches on the matching body"
    );
    let found = make(pact, bad)();
    assert!(
        found > 0,
        "{name}: expected mismatches once {BROKEN_GROUP}.{BROKEN_FIELD} is a string"
    );
    println!("- {name}: 0 mismatches on the matching body, {found} on the broken one");
}

struct Row {
    name: &'static str,
    api: &'static str,
    result: Measurement,
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; run `cargo run --release` for real numbers");
    }

    let expected_body = build_body(EXPECTED_SEED);
    let actual_body = build_body(ACTUAL_SEED);
    let pact_json = build_pact_json(&expected_body);
    let mut broken_body = actual_body.clone();
    broken_body[BROKEN_GROUP][BROKEN_FIELD] = json!("not an integer");
    assert_ne!(expected_body, actual_body);

    println!("# pact-matching-compare\n");
    println!(
        "pact_matching {PACT_MATCHING_VERSION} (pact_models {PACT_MODELS_VERSION}), \
         Seamline: {}",
        if SEAM_WIRED {
            "wired"
        } else {
            "stub (not wired)"
        }
    );
    println!(
        "input: {GROUPS} groups x {FIELDS_PER_GROUP} fields = {} fields with one v3 body rule \
         each ({} JSON leaves); expected body {} B, actual body {} B, pact document {} B",
        GROUPS * FIELDS_PER_GROUP,
        count_leaves(&actual_body),
        expected_body.to_string().len(),
        actual_body.to_string().len(),
        pact_json.len()
    );
    println!(
        "timing: {} ms warm-up, then >= {} s per row\n",
        WARMUP.as_millis(),
        MEASURE.as_secs()
    );

    // Sanity checks, printed once.
    println!("## Sanity checks\n");
    set_pact_engine(false);
    validate(
        "pact_matching::match_response",
        pact_match_response,
        &pact_json,
        &actual_body,
        &broken_body,
    );
    if let Some(mismatch) = pact_match_response_mismatches(&pact_json, &broken_body).first() {
        println!("  e.g. {}", mismatch.description());
    }
    validate(
        "pact_matching::match_body",
        pact_match_body,
        &pact_json,
        &actual_body,
        &broken_body,
    );
    set_pact_engine(true);
    validate(
        "pact_matching::match_response (v2 engine)",
        pact_match_response,
        &pact_json,
        &actual_body,
        &broken_body,
    );
    set_pact_engine(false);
    if SEAM_WIRED {
        validate("seam", seam_side, &pact_json, &actual_body, &broken_body);
    }
    println!();

    let mut rows = Vec::new();
    let mut bench = |name, api, make: fn(&str, &Value) -> MatchFn| {
        let result = measure(&mut make(&pact_json, &actual_body));
        eprintln!("measured {name} / {api}: {:.1} ops/s", result.ops_per_sec());
        rows.push(Row { name, api, result });
    };
    bench("pact_matching", "match_response", pact_match_response);
    bench("pact_matching", "match_body", pact_match_body);
    set_pact_engine(true);
    bench(
        "pact_matching",
        "match_response, v2 engine",
        pact_match_response,
    );
    set_pact_engine(false);
    bench(
        "reference",
        "serde_json parse of both bodies",
        parse_both_bodies,
    );
    if SEAM_WIRED {
        bench("seam", "seam_side", seam_side);
    }

    println!("## Results\n");
    println!("| matcher | API | iterations | time (s) | ops/s | mean µs/op | best µs/op |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {:.2} | {:.1} | {:.1} | {:.1} |",
            row.name,
            row.api,
            row.result.iterations,
            row.result.elapsed.as_secs_f64(),
            row.result.ops_per_sec(),
            row.result.mean_us(),
            row.result.best_us()
        );
    }
    println!();

    match rows.iter().find(|row| row.name == "seam") {
        Some(seam) => {
            println!("seam/pact ratio (seam ops/s ÷ pact ops/s; > 1 means Seamline is faster):\n");
            for pact in rows.iter().filter(|row| row.name == "pact_matching") {
                println!(
                    "- vs {}: {:.2}x",
                    pact.api,
                    seam.result.ops_per_sec() / pact.result.ops_per_sec()
                );
            }
        }
        None => println!(
            "note: Seamline side skipped: `seam_side` is still the stub \
             (SEAM_WIRED = false in src/main.rs), so no seam/pact ratio."
        ),
    }
}
