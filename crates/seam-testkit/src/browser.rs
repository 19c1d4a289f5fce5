//! Headless Chromium for tests that look at what a page draws: find it
//! (`SEAM_CHROMIUM`, else `chromium` on the PATH; a visible skip without it,
//! a failure under `CI=true`, where `.ci/run` installs it), take a
//! screenshot of a URL, and count the pixels near a colour.

use std::path::Path;
use std::process::Command;

/// The Chromium to use, or `None` after saying why `test` skips.
pub fn chromium(test: &str) -> Option<String> {
    let found = std::env::var("SEAM_CHROMIUM").ok().or_else(|| {
        ["chromium", "chromium-browser"]
            .into_iter()
            .find_map(|name| {
                Command::new(name)
                    .arg("--version")
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|_| name.to_string())
            })
    });
    if found.is_none() {
        crate::skip(&format!(
            "{test}: no chromium on the PATH (apt-get install chromium, or set SEAM_CHROMIUM)"
        ));
    }
    found
}

/// A PNG of `url` at `width`×`height`, written to `png` (a fresh profile
/// beside it; no network beyond the URL).
pub fn screenshot(chromium: &str, url: &str, png: &Path, width: u32, height: u32) {
    let profile = png.with_extension("profile");
    let shot = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        png.exists(),
        "no screenshot of {url}: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
}

/// A decoded screenshot: its pixels, and how many bytes each takes.
pub struct Pixels {
    bytes: Vec<u8>,
    channels: usize,
}

impl Pixels {
    pub fn read(png_path: &Path) -> Pixels {
        let decoder = png::Decoder::new(std::fs::File::open(png_path).expect("the screenshot"));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buf).expect("a frame");
        buf.truncate(frame.buffer_size());
        Pixels {
            bytes: buf,
            channels: frame.color_type.samples(),
        }
    }

    /// How many pixels are within `tolerance` of `rgb` in every channel.
    pub fn count(&self, rgb: [u8; 3], tolerance: u8) -> usize {
        self.bytes
            .chunks(self.channels)
            .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= tolerance))
            .count()
    }
}
