//! The checks a fuzz run applies, each with a stable code, a title and the
//! text `seam explain CODE` prints: what is checked, why it matters, and how a
//! finding is confirmed so that a correct service gets none.

use std::fmt;

/// One check. The code ([`Check::code`]) is stable: reports, baselines and
/// `seam.toml` name checks by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    ServerError,
    UndocumentedStatus,
    ContentType,
    ResponseHeaders,
    ResponseSchema,
    InvalidAccepted,
    ValidRejected,
    MissingHeaderAccepted,
    MethodNotAllowed,
    UseAfterDelete,
    CreatedNotFound,
    FailedWriteChangedState,
    ResponseTime,
}

impl Check {
    /// Every check, in the order reports list them.
    pub const ALL: [Check; 13] = [
        Check::ServerError,
        Check::UndocumentedStatus,
        Check::ContentType,
        Check::ResponseHeaders,
        Check::ResponseSchema,
        Check::InvalidAccepted,
        Check::ValidRejected,
        Check::MissingHeaderAccepted,
        Check::MethodNotAllowed,
        Check::UseAfterDelete,
        Check::CreatedNotFound,
        Check::FailedWriteChangedState,
        Check::ResponseTime,
    ];

    /// The stable code: `server-error`, `invalid-accepted`, ...
    pub fn code(self) -> &'static str {
        match self {
            Check::ServerError => "server-error",
            Check::UndocumentedStatus => "undocumented-status",
            Check::ContentType => "content-type",
            Check::ResponseHeaders => "response-headers",
            Check::ResponseSchema => "response-schema",
            Check::InvalidAccepted => "invalid-accepted",
            Check::ValidRejected => "valid-rejected",
            Check::MissingHeaderAccepted => "missing-header-accepted",
            Check::MethodNotAllowed => "method-not-allowed",
            Check::UseAfterDelete => "use-after-delete",
            Check::CreatedNotFound => "created-not-found",
            Check::FailedWriteChangedState => "failed-write-changed-state",
            Check::ResponseTime => "response-time",
        }
    }

    /// The check a code names.
    pub fn from_code(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.code() == code)
    }

    /// One line: what a finding of this check means.
    pub fn title(self) -> &'static str {
        match self {
            Check::ServerError => "the server answered with a 5xx, or not at all",
            Check::UndocumentedStatus => "the status is not declared for the operation",
            Check::ContentType => "the response's Content-Type is not one the operation declares",
            Check::ResponseHeaders => "a required response header is missing or invalid",
            Check::ResponseSchema => "the response body does not match its schema",
            Check::InvalidAccepted => "data the spec forbids was accepted",
            Check::ValidRejected => "data the spec allows was rejected",
            Check::MissingHeaderAccepted => "a request without a required header was accepted",
            Check::MethodNotAllowed => "an undeclared method was not answered 405 with Allow",
            Check::UseAfterDelete => "a resource is still served after its DELETE succeeded",
            Check::CreatedNotFound => "a resource a POST created is not found",
            Check::FailedWriteChangedState => "a rejected write changed the resource anyway",
            Check::ResponseTime => "the response took longer than the threshold",
        }
    }

    /// What `seam explain CODE` prints.
    pub fn explain(self) -> &'static str {
        match self {
            Check::ServerError => {
                "Any request, valid or not, must never be answered with a 5xx: invalid input is the \
client's fault (4xx), and a crash on input is a defect an attacker can trigger at will. \
Sent: every generated request. Confirmed: the request is sent once more; a finding that does \
not repeat is marked flaky."
            }
            Check::UndocumentedStatus => {
                "Every status the API answers with must be declared under the operation's `responses` \
(by its code, its range such as `4XX`, or `default`). Clients are generated from the spec; a \
status it does not list is one they cannot handle. Fix: declare the status, or stop sending it."
            }
            Check::ContentType => {
                "A response with a body must carry a Content-Type that matches one the spec declares \
for its status (`application/json` for `application/*` or `*/*` too). A client parsing the \
declared type breaks on another."
            }
            Check::ResponseHeaders => {
                "Headers a response declares as `required: true` must be sent, and every declared \
header that is sent must match its schema (a `Location` after a 201, a rate-limit count)."
            }
            Check::ResponseSchema => {
                "A JSON response body must validate against the schema declared for its status and \
media type (readOnly properties allowed, writeOnly ones not). The finding names the first \
violating field and the schema keyword it breaks."
            }
            Check::InvalidAccepted => {
                "A request the spec forbids (a wrong type, a value past a bound, a missing required \
field, a value outside an enum, a malformed format or pattern) must be rejected with a 4xx. \
A 2xx or 3xx means the service does not validate what its spec promises, and may store data \
other clients cannot read. Each request is first checked against the spec by seam itself, so \
only requests the spec really forbids count. Confirmed by sending it again."
            }
            Check::ValidRejected => {
                "A request the spec allows must not be rejected as malformed (400, 405, 406, 413, \
415 or 422). A 404, 409, 401 or 403 is taken as business state (an id that does not exist, a \
conflict, missing rights) and is never reported. A rejection is reported only when it repeats, \
and, when the request carries values that may refer to state (path parameters, fields named \
`id` or `...Id`), only when it repeats with values taken from the service's own answers."
            }
            Check::MissingHeaderAccepted => {
                "A request without a header parameter the operation declares as required must be \
rejected with a 4xx (an `Idempotency-Key`, an `X-Request-Id`, a version header)."
            }
            Check::MethodNotAllowed => {
                "A method the spec does not declare on a path must be answered 405 Method Not \
Allowed with an `Allow` header listing the methods the path has (RFC 9110 §15.5.6). Serving \
it, or answering 404 or 5xx, exposes behaviour nobody reviewed."
            }
            Check::UseAfterDelete => {
                "After a DELETE on a resource succeeded (2xx), a GET of the same resource must answer \
404 or 410. Sequences: a POST creates the resource (or an id is taken from a list), DELETE, \
then GET."
            }
            Check::CreatedNotFound => {
                "After a POST answered 2xx with the new resource's id, a GET of that resource must \
answer 2xx. The id comes from the POST's body (`id`, `...Id`), its `Location` header, or the \
spec's `links`."
            }
            Check::FailedWriteChangedState => {
                "A PUT or PATCH the service rejected (4xx) must leave the resource as it was: the \
resource is read before and after, and any difference is reported with both bodies."
            }
            Check::ResponseTime => {
                "Every response must arrive within the threshold given by `--max-response-time` \
(off by default). The slowest request is reported per operation."
            }
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The checks a run applies: every one but those turned off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSet {
    on: Vec<Check>,
}

impl Default for CheckSet {
    fn default() -> Self {
        CheckSet {
            on: Check::ALL.to_vec(),
        }
    }
}

impl CheckSet {
    /// Only the checks named; every code must exist.
    pub fn only(codes: &[String]) -> Result<CheckSet, String> {
        let mut on = Vec::new();
        for code in codes {
            on.push(parse_code(code)?);
        }
        on.sort();
        on.dedup();
        Ok(CheckSet { on })
    }

    /// This set without the checks named.
    pub fn without(mut self, codes: &[String]) -> Result<CheckSet, String> {
        for code in codes {
            let check = parse_code(code)?;
            self.on.retain(|c| *c != check);
        }
        Ok(self)
    }

    pub fn contains(&self, check: Check) -> bool {
        self.on.contains(&check)
    }
}

/// A check by its code, or an error naming the codes there are (with the
/// nearest one).
pub fn parse_code(code: &str) -> Result<Check, String> {
    Check::from_code(code).ok_or_else(|| {
        let codes: Vec<&str> = Check::ALL.iter().map(|c| c.code()).collect();
        let hint = seam_core::source::did_you_mean(code, codes.iter().copied());
        format!(
            "unknown check `{code}`{hint}; the checks are: {}",
            codes.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_read_back() {
        for c in Check::ALL {
            assert_eq!(Check::from_code(c.code()), Some(c));
            assert!(!c.explain().is_empty());
        }
        let mut codes: Vec<_> = Check::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Check::ALL.len());
    }

    #[test]
    fn an_unknown_code_gets_a_hint() {
        let e = parse_code("server-eror").unwrap_err();
        assert!(e.contains("did you mean `server-error`"), "{e}");
    }
}
