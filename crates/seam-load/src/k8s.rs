//! A Kubernetes manifest that runs one load scenario as N shards on the
//! cluster a team already has: a PersistentVolumeClaim for the results, an
//! Indexed Job whose pod `i` runs `seam load ... --shard auto/N` (the shard
//! taken from `JOB_COMPLETION_INDEX`) and writes `/results/shard-i.hdr`, and a
//! merge Job that adds the shards up with `seam load merge /results`.
//!
//! Every scalar is written as a JSON string, which YAML reads as the same
//! string whatever it holds.

/// What the manifest runs.
pub struct Manifest<'a> {
    /// Names the Jobs and the claim (`NAME`, `NAME-merge`, `NAME-results`).
    pub name: &'a str,
    /// A container image with `seam` on its PATH.
    pub image: &'a str,
    pub shards: u32,
    /// `seam load` arguments (target, users, rate, duration, thresholds ...)
    /// without `--shard` and `--out`.
    pub load_args: &'a [String],
    /// Arguments of the merge step (`--threshold`, `--json` ...).
    pub merge_args: &'a [String],
}

fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

fn list(items: &[String], indent: &str) -> String {
    items
        .iter()
        .map(|a| format!("{indent}- {}\n", q(a)))
        .collect()
}

/// Is `name` a Kubernetes object name (RFC 1123 label, 1-50 characters so
/// that `-results` and `-merge` still fit)?
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 50
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a Kubernetes name: lower-case letters, digits and `-`, 1-50 characters, starting and ending with a letter or digit"
        ))
    }
}

/// A pod spec (under a Job's `template:`) running `seam ARGS` with the
/// results claim mounted at `/results`.
fn pod(name: &str, image: &str, args: &[String], claim: &str) -> String {
    format!(
        "    spec:
      restartPolicy: Never
      containers:
        - name: {}
          image: {image}
          command: [\"seam\"]
          args:
{}          volumeMounts:
            - name: results
              mountPath: \"/results\"
      volumes:
        - name: results
          persistentVolumeClaim:
            claimName: {claim}
",
        q(name),
        list(args, "            ")
    )
}

impl Manifest<'_> {
    pub fn render(&self) -> String {
        let Manifest {
            name,
            image,
            shards,
            ..
        } = *self;
        let mut run: Vec<String> = vec!["load".into()];
        run.extend(self.load_args.iter().cloned());
        run.extend([
            "--shard".into(),
            format!("auto/{shards}"),
            "--out".into(),
            "/results/shard-$(JOB_COMPLETION_INDEX).hdr".into(),
        ]);
        let mut merge: Vec<String> = vec!["load".into(), "merge".into(), "/results".into()];
        merge.extend(self.merge_args.iter().cloned());
        let (n, img) = (q(name), q(image));
        let claim = q(&format!("{name}-results"));
        let merge_name = q(&format!("{name}-merge"));
        let run_pod = pod("seam-load", &img, &run, &claim);
        let merge_pod = pod("seam-load-merge", &img, &merge, &claim);
        format!(
            "# seam load on Kubernetes: {shards} shards of one scenario, then their merge.
#   kubectl apply -f this.yaml    (the claim and the load Job)
#   kubectl wait --for=condition=complete --timeout=1h job/{name}
#   then apply the merge Job below and read its log:
#   kubectl logs job/{name}-merge
# The claim must be writable by every pod at once (ReadWriteMany); on a
# single-node cluster ReadWriteOnce works too.
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {claim}
spec:
  accessModes: [\"ReadWriteMany\"]
  resources:
    requests:
      storage: \"1Gi\"
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {n}
  labels:
    app.kubernetes.io/name: \"seam-load\"
spec:
  completionMode: Indexed
  completions: {shards}
  parallelism: {shards}
  backoffLimit: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: \"seam-load\"
{run_pod}---
apiVersion: batch/v1
kind: Job
metadata:
  name: {merge_name}
  labels:
    app.kubernetes.io/name: \"seam-load-merge\"
spec:
  backoffLimit: 0
  template:
{merge_pod}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_an_indexed_job_and_its_merge() {
        let load: Vec<String> = [
            "http://orders:8080/api",
            "-c",
            "256",
            "--rate",
            "20000/s",
            "--threshold",
            "p95<200ms",
            "-H",
            "X-Note: \"NO\": yes # not a comment",
        ]
        .map(String::from)
        .to_vec();
        let merge: Vec<String> = vec!["--threshold".into(), "p95<200ms".into()];
        let yaml = Manifest {
            name: "orders-load",
            image: "ghcr.io/acme/seam:1",
            shards: 4,
            load_args: &load,
            merge_args: &merge,
        }
        .render();
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).expect(&yaml);
        assert_eq!(docs.len(), 3, "{yaml}");
        assert_eq!(docs[0]["kind"], "PersistentVolumeClaim");
        let job = &docs[1];
        assert_eq!(
            (job["kind"].as_str(), job["metadata"]["name"].as_str()),
            (Some("Job"), Some("orders-load"))
        );
        assert_eq!(job["spec"]["completionMode"], "Indexed");
        assert_eq!(
            (
                job["spec"]["completions"].as_u64(),
                job["spec"]["parallelism"].as_u64()
            ),
            (Some(4), Some(4))
        );
        let pod = &job["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        let args: Vec<&str> = pod["containers"][0]["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let mut expected = vec!["load"];
        expected.extend(load.iter().map(String::as_str));
        expected.extend([
            "--shard",
            "auto/4",
            "--out",
            "/results/shard-$(JOB_COMPLETION_INDEX).hdr",
        ]);
        assert_eq!(args, expected);
        assert_eq!(
            pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "orders-load-results"
        );
        let merge_job = &docs[2];
        assert_eq!(merge_job["metadata"]["name"], "orders-load-merge");
        let margs = &merge_job["spec"]["template"]["spec"]["containers"][0]["args"];
        assert_eq!(
            margs,
            &serde_json::json!(["load", "merge", "/results", "--threshold", "p95<200ms"])
        );
    }

    #[test]
    fn names_follow_kubernetes_rules() {
        assert!(check_name("checkout-load-1").is_ok());
        for bad in ["", "Upper", "-x", "x-", "a_b", &"a".repeat(51)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
