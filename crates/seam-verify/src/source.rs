//! Where pacts come from: pact files, seam YAML contracts (`.yaml`, `.yml`),
//! directories (every pact or contract inside) and URLs.

use crate::VerifyError;
use seam_pact::Pact;
use std::path::Path;

/// A pact and where it was read from.
pub struct LoadedPact {
    pub origin: String,
    pub pact: Pact,
}

/// Reads every pact named by `sources` (pact files, YAML contracts,
/// directories, http(s) URLs).
pub async fn load(
    sources: &[String],
    client: &reqwest::Client,
) -> Result<Vec<LoadedPact>, VerifyError> {
    load_in(Path::new(""), sources, client).await
}

/// Like [`load`], with file sources relative to `base` (a pipeline's
/// `seam.toml`); origins name the files as the sources wrote them.
pub async fn load_in(
    base: &Path,
    sources: &[String],
    client: &reqwest::Client,
) -> Result<Vec<LoadedPact>, VerifyError> {
    let mut out = Vec::new();
    for src in sources {
        if src.starts_with("http://") || src.starts_with("https://") {
            let text = fetch(client, src).await?;
            let pact = seam_pact::read_pact_str(src, &text).map_err(VerifyError::Pact)?;
            out.push(LoadedPact {
                origin: src.clone(),
                pact,
            });
            continue;
        }
        let path = &base.join(src);
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| VerifyError::Input(format!("cannot list {src}: {e}")))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json" || is_contract(p)))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(VerifyError::Input(format!(
                    "{src}: no pact (.json) or contract (.yaml) files in this directory"
                )));
            }
            for f in files {
                let shown = f.strip_prefix(base).unwrap_or(&f).display().to_string();
                out.push(LoadedPact {
                    origin: shown,
                    pact: read_file(&f)?,
                });
            }
        } else if path.is_file() {
            out.push(LoadedPact {
                origin: src.clone(),
                pact: read_file(path)?,
            });
        } else {
            return Err(VerifyError::Input(format!(
                "{src}: no such file or directory"
            )));
        }
    }
    Ok(out)
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, VerifyError> {
    let res = client
        .get(url)
        .send()
        .await
        .map_err(|e| VerifyError::Input(format!("cannot fetch the pact at {url}: {e}")))?;
    if !res.status().is_success() {
        return Err(VerifyError::Input(format!(
            "cannot fetch the pact at {url}: status {}",
            res.status()
        )));
    }
    res.text()
        .await
        .map_err(|e| VerifyError::Input(format!("cannot read the pact at {url}: {e}")))
}

fn is_contract(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// A pact file, or a seam YAML contract read as a pact.
fn read_file(path: &Path) -> Result<Pact, VerifyError> {
    if is_contract(path) {
        seam_contract::load(path).map_err(|e| VerifyError::Input(e.to_string()))
    } else {
        seam_pact::read_pact_file(path).map_err(VerifyError::Pact)
    }
}
