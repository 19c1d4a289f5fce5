//! Ramping stages: each stage moves the load level linearly from where the
//! last one ended (0 at the start) to its target over its duration; a `0s`
//! stage jumps. Users (`30s:100,1m:100,30s:0`: the closed model, the level
//! is the number of active users) or rates (`30s:2000/s,1m:2000/s`: the open
//! model, request `j` is due when the area under the rate reaches `j`).

use seam_core::units::parse_duration;
use std::time::Duration;

/// One stage: reach `target` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    pub target: f64,
}

/// `30s:100,1m:100,30s:0` (users) or `30s:500/s,1m:500/s` (rates): the
/// stages, and whether they are rates. Every target is one kind or the other.
pub fn parse(text: &str) -> Result<Ramp, String> {
    let help = "write DURATION:USERS,... (30s:100,1m:100,30s:0) or DURATION:RATE/s,... (30s:500/s,1m:500/s)";
    let mut kinds = Vec::new();
    let stages = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|stage| {
            let (d, t) = stage
                .split_once(':')
                .ok_or_else(|| format!("`{stage}` is not a stage ({help})"))?;
            let duration = parse_duration(d).map_err(|e| format!("`{stage}`: {e}"))?;
            let t = t.trim();
            kinds.push(t.ends_with("/s"));
            let target: f64 = t
                .trim_end_matches("/s")
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("`{stage}`: `{t}` is not a target (a number, 0 or more)"))?;
            Ok(Stage { duration, target })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if stages.is_empty() {
        return Err(format!("no stages ({help})"));
    }
    if stages.iter().all(|s| s.duration.is_zero()) {
        return Err(format!("the stages last 0s ({help})"));
    }
    let per_second = kinds[0];
    if kinds.iter().any(|&k| k != per_second) {
        return Err(format!(
            "every stage is users or every stage is a rate, not both ({help})"
        ));
    }
    Ok(Ramp { stages, per_second })
}

/// The stages in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Ramp {
    stages: Vec<Stage>,
    /// Rates (the open model), not users.
    pub per_second: bool,
}

impl Ramp {
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// The highest target.
    pub fn peak(&self) -> f64 {
        self.stages.iter().map(|s| s.target).fold(0.0, f64::max)
    }

    /// Each stage with the level it starts from: (start, end, seconds).
    fn segments(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let mut from = 0.0;
        self.stages.iter().map(move |s| {
            let seg = (from, s.target, s.duration.as_secs_f64());
            from = s.target;
            seg
        })
    }

    /// The level `t` seconds in (the last target after the end).
    pub fn level_at(&self, t: f64) -> f64 {
        let mut start = 0.0;
        let mut last = 0.0;
        for (a, b, d) in self.segments() {
            last = b;
            if d > 0.0 && t < start + d {
                return a + (b - a) * (t - start) / d;
            }
            start += d;
        }
        last
    }

    /// Requests due over the whole ramp (the area under the rate), rounded
    /// up.
    pub fn total(&self) -> u64 {
        let area: f64 = self.segments().map(|(a, b, d)| (a + b) / 2.0 * d).sum();
        // a hair under a whole number is that number
        (area - 1e-9).ceil().max(0.0) as u64
    }

    /// When request `j` (0-based) is due, in seconds from the start: when
    /// the area under the rate first exceeds `j`.
    pub fn due(&self, j: u64) -> Option<f64> {
        let mut left = j as f64;
        let mut start = 0.0;
        for (a, b, d) in self.segments() {
            let area = (a + b) / 2.0 * d;
            if d > 0.0 && left < area {
                // a*t + (b-a)/(2d)*t^2 = left
                let k = (b - a) / (2.0 * d);
                let t = if k.abs() < 1e-12 {
                    left / a
                } else {
                    (-a + (a * a + 4.0 * k * left).sqrt()) / (2.0 * k)
                };
                return Some(start + t.clamp(0.0, d));
            }
            left -= area;
            start += d;
        }
        None
    }

    /// Every target as this shard's share of it.
    pub fn scaled(&self, share: impl Fn(f64) -> f64) -> Ramp {
        Ramp {
            per_second: self.per_second,
            stages: self
                .stages
                .iter()
                .map(|s| Stage {
                    duration: s.duration,
                    target: share(s.target),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_or_say_what_to_write() {
        let r = parse("30s:100, 1m:100,0s:5").unwrap();
        assert_eq!(
            r.stages[1],
            Stage {
                duration: Duration::from_secs(60),
                target: 100.0
            }
        );
        assert!(!r.per_second);
        assert!(parse("30s:100/s,1m:50/s").unwrap().per_second);
        for bad in ["", "30s", "30s:-1", "soon:5", "0s:5", "30s:5/s,1m:5"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn levels_ramp_linearly_and_jumps_take_no_time() {
        let r = parse("10s:100,10s:100,0s:20,10s:0").unwrap();
        assert_eq!(r.duration(), Duration::from_secs(30));
        assert_eq!(
            (
                r.level_at(5.0),
                r.level_at(15.0),
                r.level_at(20.0),
                r.level_at(25.0)
            ),
            (50.0, 100.0, 20.0, 10.0)
        );
        assert_eq!(r.level_at(99.0), 0.0);
        assert_eq!(r.peak(), 100.0);
    }

    #[test]
    fn requests_are_due_where_the_area_under_the_rate_says() {
        // 0 -> 100/s over 10 s, then 100/s for 10 s: 500 + 1000 requests
        let r = parse("10s:100/s,10s:100/s").unwrap();
        assert_eq!(r.total(), 1500);
        assert_eq!(r.due(0), Some(0.0));
        // area t^2 * 5 = 125 at t = 5
        assert!((r.due(125).unwrap() - 5.0).abs() < 1e-9);
        assert!((r.due(500).unwrap() - 10.0).abs() < 1e-9);
        assert!((r.due(1000).unwrap() - 15.0).abs() < 1e-9);
        assert_eq!(r.due(1500), None);
        let mut last = 0.0;
        for j in 0..1500 {
            let t = r.due(j).unwrap();
            assert!(t >= last && t < 20.0, "{j}: {t}");
            last = t;
        }
        // shards' shares add up to the whole
        let halves: u64 = [0.5, 0.5].iter().map(|f| r.scaled(|t| t * f).total()).sum();
        assert_eq!(halves, 1500);
    }
}
