//! `seam.toml`: the layers of a pipeline and where their files are. Every
//! layer table may appear once (`[contracts]`) or many times
//! (`[[contracts]]`); `${NAME}` in a value is replaced by the variable
//! `NAME` (from the environment for `seam ci`, from the shop for `seam demo`).
//! Paths are relative to the file, and reports name files as written here.

use seam_core::source::{Location, SourceError};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// A parsed `seam.toml`.
#[derive(Debug)]
pub struct Pipeline {
    /// The directory paths are relative to.
    pub dir: PathBuf,
    pub contracts: Vec<ContractsLayer>,
    pub suites: Vec<SuitesLayer>,
    /// Generative payload checks (`seam fuzz`), run after the suites.
    pub fuzz: Vec<seam_fuzz::config::FuzzSettings>,
    /// Security checks (`seam scan`), run after fuzz.
    pub scan: Vec<seam_scan::config::ScanSettings>,
    /// Load with thresholds (`seam load`), run last.
    pub load: Vec<seam_load::config::LoadSettings>,
    pub report: ReportSection,
    /// Skip the suites layers when a contracts layer failed.
    pub fail_fast: bool,
}

impl Pipeline {
    /// `path` as written in `seam.toml`, relative to it (unchanged when
    /// `seam.toml` is in the current directory, so reports print `reports/x`).
    pub fn path(&self, path: &str) -> PathBuf {
        if self.dir == Path::new(".") {
            PathBuf::from(path)
        } else {
            self.dir.join(path)
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    fail_fast: bool,
    #[serde(default, deserialize_with = "one_or_many")]
    contracts: Vec<ContractsLayer>,
    #[serde(default, deserialize_with = "one_or_many")]
    suites: Vec<SuitesLayer>,
    #[serde(default, deserialize_with = "one_or_many")]
    fuzz: Vec<seam_fuzz::config::FuzzSettings>,
    #[serde(default, deserialize_with = "one_or_many")]
    scan: Vec<seam_scan::config::ScanSettings>,
    #[serde(default, deserialize_with = "one_or_many")]
    load: Vec<seam_load::config::LoadSettings>,
    #[serde(default)]
    report: ReportSection,
}

/// Provider verification (`seam verify`) of contracts or pacts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContractsLayer {
    /// Shown in reports; default `contracts (URL)`.
    pub name: Option<String>,
    #[serde(deserialize_with = "url")]
    pub provider_base_url: String,
    /// Files, directories or URLs: pact JSON or seam YAML contracts.
    #[serde(deserialize_with = "not_empty")]
    pub pacts: Vec<String>,
    #[serde(default, deserialize_with = "optional_url")]
    pub provider_states_setup_url: Option<String>,
    /// `NAME: VALUE` added to every request (auth).
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<String>,
}

/// API test suites (`seam test`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuitesLayer {
    /// Shown in reports; default `suites`.
    pub name: Option<String>,
    #[serde(deserialize_with = "not_empty")]
    pub files: Vec<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Tests run at once (default: the number of cores); 1 for suites that
    /// change shared state, like fault injection.
    #[serde(default, deserialize_with = "jobs")]
    pub jobs: Option<usize>,
}

/// Where the combined reports go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    pub junit: Option<String>,
    pub html: Option<String>,
    /// SARIF 2.1.0: one run per fuzz and scan layer (code scanning).
    pub sarif: Option<String>,
}

/// A problem in `seam.toml`: where (`seam.toml:line:col`) and what.
pub type ConfigError = SourceError;

fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OneOrMany<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> de::Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table ([layer]) or an array of tables ([[layer]])")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| vec![t])
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
    }
    d.deserialize_any(OneOrMany(PhantomData))
}

// Value checks: each runs while its value is read, so an error points at it.

/// An `http://` or `https://` URL (or one made of `${VAR}`s, checked once filled in).
fn url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let u = String::deserialize(d)?;
    check_url(&u).map_err(de::Error::custom)?;
    Ok(u)
}

fn optional_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    url(d).map(Some)
}

fn check_url(u: &str) -> Result<(), String> {
    let scheme_ok = u.starts_with("http://") || u.starts_with("https://");
    if scheme_ok && u.len() > "https://".len() || u.starts_with("${") {
        Ok(())
    } else {
        Err(format!(
            "`{u}` is not an http:// or https:// URL (e.g. \"http://localhost:8080\")"
        ))
    }
}

fn not_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    if v.is_empty() {
        return Err(de::Error::custom(
            "the list is empty: name at least one file",
        ));
    }
    Ok(v)
}

fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Vec::<String>::deserialize(d)?;
    for h in &v {
        let named = h.split_once(':').is_some_and(|(k, _)| !k.trim().is_empty());
        if !named {
            return Err(de::Error::custom(format!(
                "`{h}` is not a header: write \"NAME: VALUE\" (e.g. \"Authorization: Bearer ${{TOKEN}}\")"
            )));
        }
    }
    Ok(v)
}

fn jobs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = usize::deserialize(d)?;
    if n == 0 {
        return Err(de::Error::custom("jobs must be 1 or more"));
    }
    Ok(Some(n))
}

/// Reads `seam.toml`; `lookup` gives the value of `${NAME}`.
pub fn load(path: &Path, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Pipeline, ConfigError> {
    let name = path.display().to_string();
    let error = |at: Option<usize>, text: &str, message: String| {
        let at = at.map(|offset| Location::of_offset(text, offset));
        SourceError::new(name.clone(), at, message)
    };
    let bytes = std::fs::read(path).map_err(|e| error(None, "", format!("cannot read: {e}")))?;
    let text = seam_core::source::decode_text(&bytes).map_err(|e| e.in_file(name.clone()))?;
    let file: File = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| s.start);
        error(at, text, e.message().trim_end().to_string())
    })?;
    if file.contracts.is_empty()
        && file.suites.is_empty()
        && file.fuzz.is_empty()
        && file.scan.is_empty()
        && file.load.is_empty()
    {
        return Err(error(
            None,
            text,
            "no layers: add [contracts], [suites], [fuzz], [scan] and/or [load]".into(),
        ));
    }
    let expand = |value: &str| -> Result<String, ConfigError> {
        expand_vars(value, lookup).map_err(|var| {
            let at = text.find(&format!("${{{var}}}"));
            error(at, text, format!("variable `{var}` is not set"))
        })
    };
    // a URL made of variables is checked once they are filled in, at the value
    let expand_url = |value: &str| -> Result<String, ConfigError> {
        let url = expand(value)?;
        check_url(&url).map_err(|why| error(text.find(value), text, why))?;
        Ok(url)
    };
    let mut contracts = file.contracts;
    for c in &mut contracts {
        c.provider_base_url = expand_url(&c.provider_base_url)?;
        if let Some(u) = &mut c.provider_states_setup_url {
            *u = expand_url(u)?;
        }
        for v in c.pacts.iter_mut().chain(c.headers.iter_mut()) {
            *v = expand(v)?;
        }
    }
    let mut suites = file.suites;
    for s in &mut suites {
        for v in s.files.iter_mut().chain(s.vars.values_mut()) {
            *v = expand(v)?;
        }
    }
    let mut fuzz = file.fuzz;
    for f in &mut fuzz {
        let strings = [
            &mut f.spec,
            &mut f.url,
            &mut f.bearer,
            &mut f.basic,
            &mut f.auth,
            &mut f.auth_user,
            &mut f.baseline,
        ];
        for v in strings.into_iter().flatten() {
            *v = expand(v)?;
        }
        for v in f.headers.iter_mut().flatten() {
            *v = expand(v)?;
        }
    }
    let mut scan = file.scan;
    for s in &mut scan {
        let strings = [
            &mut s.spec,
            &mut s.url,
            &mut s.auth,
            &mut s.jwt_key,
            &mut s.jwt_wordlist,
            &mut s.baseline,
        ];
        for v in strings.into_iter().flatten() {
            *v = expand(v)?;
        }
        for v in s.jwt_public_keys.iter_mut().flatten() {
            *v = expand(v)?;
        }
    }
    let mut load = file.load;
    for l in &mut load {
        let strings = [&mut l.url, &mut l.body, &mut l.body_file, &mut l.openapi];
        for v in strings.into_iter().flatten() {
            *v = expand(v)?;
        }
        for v in l.headers.iter_mut().flatten() {
            *v = expand(v)?;
        }
    }
    Ok(Pipeline {
        fuzz,
        scan,
        load,
        dir: path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        contracts,
        suites,
        report: file.report,
        fail_fast: file.fail_fast,
    })
}

/// The first table a layer has in a `seam.toml` (variables filled in), for
/// `seam fuzz|scan|load --config`; `table` names it in the error.
fn first_table<T>(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
    table: &str,
    layer: impl FnOnce(Pipeline) -> Vec<T>,
) -> Result<T, ConfigError> {
    let pipeline = load(path, lookup)?;
    layer(pipeline).into_iter().next().ok_or_else(|| {
        SourceError::new(
            path.display().to_string(),
            None,
            format!("no [{table}] table"),
        )
    })
}

/// The first `[fuzz]` table, for `seam fuzz --config`.
pub fn load_fuzz(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<seam_fuzz::config::FuzzSettings, ConfigError> {
    first_table(path, lookup, "fuzz", |p| p.fuzz)
}

/// The first `[scan]` table, for `seam scan --config`.
pub fn load_scan(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<seam_scan::config::ScanSettings, ConfigError> {
    first_table(path, lookup, "scan", |p| p.scan)
}

/// The first `[load]` table, for `seam load --config`.
pub fn load_load(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<seam_load::config::LoadSettings, ConfigError> {
    first_table(path, lookup, "load", |p| p.load)
}

/// Replaces each `${NAME}`; `Err(NAME)` for the first one `lookup` lacks.
pub fn expand_vars(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        out.push_str(&lookup(name).ok_or_else(|| name.to_string())?);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seam.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn vars(name: &str) -> Option<String> {
        (name == "URL").then(|| "http://127.0.0.1:9".to_string())
    }

    #[test]
    fn one_table_or_many_and_variables() {
        let (_d, path) = write(
            "[[contracts]]\nname = \"a\"\nprovider-base-url = \"${URL}\"\npacts = [\"p\"]\n\n\
             [[contracts]]\nprovider-base-url = \"${URL}/b\"\npacts = [\"q\"]\n\n\
             [suites]\nfiles = [\"s.yaml\"]\nvars = { base = \"${URL}\" }\n",
        );
        let p = load(&path, &vars).unwrap();
        assert_eq!(p.contracts.len(), 2);
        assert_eq!(p.contracts[1].provider_base_url, "http://127.0.0.1:9/b");
        assert_eq!(p.suites.len(), 1);
        assert_eq!(p.suites[0].vars["base"], "http://127.0.0.1:9");
    }

    #[test]
    fn unset_variable_is_named_with_its_position() {
        let (_d, path) = write("[contracts]\nprovider-base-url = \"${NOPE}\"\npacts = [\"p\"]\n");
        let e = load(&path, &vars).unwrap_err().to_string();
        assert!(
            e.ends_with("seam.toml:2:22: variable `NOPE` is not set"),
            "{e}"
        );
    }

    #[test]
    fn unknown_key_in_an_array_of_tables_has_a_position() {
        let (_d, path) = write("[[suites]]\nfiles = [\"a\"]\n\n[[suites]]\nfile = []\n");
        let e = load(&path, &vars).unwrap_err().to_string();
        assert!(e.contains("seam.toml:5:1") && e.contains("file"), "{e}");
    }

    #[test]
    fn bad_values_are_placed_where_they_are_written() {
        let cases = [
            (
                "[contracts]\nprovider-base-url = \"localhost:8080\"\npacts = [\"p\"]\n",
                "seam.toml:2:21: `localhost:8080` is not an http:// or https:// URL",
            ),
            (
                "[contracts]\nprovider-base-url = \"${URL}\"\npacts = []\n",
                "seam.toml:3:9: the list is empty",
            ),
            (
                "[contracts]\nprovider-base-url = \"${URL}\"\npacts = [\"p\"]\nheaders = [\"Bearer x\"]\n",
                "seam.toml:4:11: `Bearer x` is not a header",
            ),
            (
                "[suites]\nfiles = [\"s.yaml\"]\njobs = 0\n",
                "seam.toml:3:8: jobs must be 1 or more",
            ),
            (
                "[contracts]\nprovider-base-url = \"${BARE}\"\npacts = [\"p\"]\n",
                "seam.toml:2:22: `localhost` is not an http:// or https:// URL",
            ),
        ];
        let lookup = |n: &str| (n == "BARE").then(|| "localhost".to_string()).or(vars(n));
        for (text, want) in cases {
            let (_d, path) = write(text);
            let e = load(&path, &lookup).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        let (_d, path) = write("\u{feff}[suites]\nfiles = [\"s.yaml\"]\n");
        assert!(load(&path, &vars).is_ok(), "a BOM is accepted");
    }

    #[test]
    fn expansion_leaves_other_dollars_alone() {
        assert_eq!(
            expand_vars("a$b${URL}c${", &vars).unwrap(),
            "a$bhttp://127.0.0.1:9c${"
        );
        assert_eq!(expand_vars("${X}", &vars), Err("X".into()));
    }
}
