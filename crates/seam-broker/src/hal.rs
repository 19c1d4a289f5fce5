//! HAL as the Pact Broker writes it: links with titles and names, and the
//! broker's paths built in one place (percent-encoded names, a pact URL's
//! metadata segment, times to the second), so every resource links to every
//! other the same way.

use serde_json::{json, Map, Value};

/// Percent-encodes one path segment.
pub fn seg(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'|')
        .add(b'\\')
        .add(b'^')
        .add(b'[')
        .add(b']');
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Builds the broker's URLs from its base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    pub base: String,
}

impl Urls {
    pub fn new(base: &str) -> Urls {
        Urls {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pacticipant(&self, name: &str) -> String {
        self.at(&format!("/pacticipants/{}", seg(name)))
    }

    pub fn version(&self, pacticipant: &str, number: &str) -> String {
        format!("{}/versions/{}", self.pacticipant(pacticipant), seg(number))
    }

    pub fn tag(&self, pacticipant: &str, number: &str, tag: &str) -> String {
        format!("{}/tags/{}", self.version(pacticipant, number), seg(tag))
    }

    pub fn branch(&self, pacticipant: &str, branch: &str) -> String {
        format!("{}/branches/{}", self.pacticipant(pacticipant), seg(branch))
    }

    pub fn branch_version(&self, pacticipant: &str, branch: &str, number: &str) -> String {
        format!(
            "{}/versions/{}",
            self.branch(pacticipant, branch),
            seg(number)
        )
    }

    pub fn pact(&self, provider: &str, consumer: &str, version: &str) -> String {
        self.at(&format!(
            "/pacts/provider/{}/consumer/{}/version/{}",
            seg(provider),
            seg(consumer),
            seg(version)
        ))
    }

    pub fn pact_version(&self, provider: &str, consumer: &str, sha: &str) -> String {
        self.at(&format!(
            "/pacts/provider/{}/consumer/{}/pact-version/{sha}",
            seg(provider),
            seg(consumer)
        ))
    }

    pub fn latest_pact(&self, provider: &str, consumer: &str) -> String {
        self.at(&format!(
            "/pacts/provider/{}/consumer/{}/latest",
            seg(provider),
            seg(consumer)
        ))
    }

    /// A pact's content URL carrying which consumer version it is verified
    /// for, and whether as work in progress (the verifier sends it back).
    pub fn pact_with_metadata(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
        wip: bool,
        consumer_version_id: i64,
    ) -> String {
        format!(
            "{}/metadata/{}",
            self.pact_version(provider, consumer, sha),
            metadata_segment(wip, consumer_version_id)
        )
    }

    pub fn verification_results(&self, provider: &str, consumer: &str, sha: &str) -> String {
        format!(
            "{}/verification-results",
            self.pact_version(provider, consumer, sha)
        )
    }

    pub fn verification(&self, provider: &str, consumer: &str, sha: &str, id: i64) -> String {
        format!(
            "{}/{id}",
            self.verification_results(provider, consumer, sha)
        )
    }

    pub fn environment(&self, uuid: &str) -> String {
        self.at(&format!("/environments/{uuid}"))
    }

    pub fn deployed_version(&self, uuid: &str) -> String {
        self.at(&format!("/deployed-versions/{uuid}"))
    }

    pub fn released_version(&self, uuid: &str) -> String {
        self.at(&format!("/released-versions/{uuid}"))
    }
}

/// `{"href": href}` with a title and a name when given.
pub fn link(href: impl Into<String>, title: Option<&str>, name: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("href".into(), Value::String(href.into()));
    if let Some(t) = title {
        m.insert("title".into(), Value::String(t.into()));
    }
    if let Some(n) = name {
        m.insert("name".into(), Value::String(n.into()));
    }
    Value::Object(m)
}

/// A stored stamp as the Pact Broker writes a time: to the second, in UTC
/// as `+00:00` ("2021-09-01T00:07:21+00:00").
pub fn time(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S+00:00")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

/// A templated link.
pub fn template(href: impl Into<String>, title: &str) -> Value {
    json!({"href": href.into(), "title": title, "templated": true})
}

/// The curies every index carries.
pub fn curies(urls: &Urls) -> Value {
    json!([{"name": "pb", "href": urls.at("/doc/{rel}?context=index"), "templated": true}])
}

/// The Pact Broker's default display name: words split at case changes,
/// dashes and underscores, each capitalised ("order-service" → "Order Service").
pub fn display_name(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' || c == ' ' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a pact URL's metadata segment says.
#[derive(Debug, Default, PartialEq)]
pub struct Metadata {
    pub wip: bool,
}

/// Reads the metadata segment (unpadded base64url of a form string).
pub fn read_metadata(segment: &str) -> Option<Metadata> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let wip = text.split('&').any(|pair| pair == "w=true");
    Some(Metadata { wip })
}

fn metadata_segment(wip: bool, consumer_version_id: i64) -> String {
    use base64::Engine;
    let mut form = format!("s%5B%5D%5Bcv%5D={consumer_version_id}");
    if wip {
        form.push_str("&w=true");
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(form)
}

#[cfg(test)]
mod tests {
    use super::{display_name, metadata_segment, read_metadata, Metadata};

    #[test]
    fn metadata_round_trips_the_wip_flag() {
        assert_eq!(
            read_metadata(&metadata_segment(true, 10)),
            Some(Metadata { wip: true })
        );
        assert_eq!(
            read_metadata(&metadata_segment(false, 10)),
            Some(Metadata { wip: false })
        );
        assert_eq!(read_metadata("%%%"), None);
    }

    #[test]
    fn display_names_split_words_as_the_pact_broker_does() {
        assert_eq!(display_name("order-service"), "Order Service");
        assert_eq!(display_name("OrderService"), "Order Service");
        assert_eq!(display_name("payments_api"), "Payments Api");
        assert_eq!(display_name("Foo"), "Foo");
    }
}
