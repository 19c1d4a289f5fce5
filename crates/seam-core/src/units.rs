//! Values as people write them on command lines and in config files:
//! durations (`500ms`, `10s`, `5m`, `1h`) and headers (`Name: value`).

use std::time::Duration;

/// `500ms`, `10s`, `5m`, `1h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{text}` is not a duration (write 500ms, 10s, 5m or 1h)");
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "us" | "µs" => n / 1_000_000.0,
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `Name: value` as a header, or an error naming the setting.
pub fn parse_header(h: &str, setting: &str) -> Result<(String, String), String> {
    match h.split_once(':') {
        Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("{setting} `{h}`: write a header as `Name: value`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        let e = parse_duration("10 parsecs").unwrap_err();
        assert!(e.contains("not a duration"), "{e}");
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn headers_need_a_name_and_a_colon() {
        assert_eq!(
            parse_header("X-Api-Key: abc:def", "--header"),
            Ok(("X-Api-Key".into(), "abc:def".into()))
        );
        let e = parse_header("no colon", "--header").unwrap_err();
        assert!(e.contains("`Name: value`"), "{e}");
        assert!(parse_header(": v", "--header").is_err());
    }
}
