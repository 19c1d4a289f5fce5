//! `seam import` as a user runs it: a Postman collection with an environment
//! file becomes a suite that `seam test` runs against a local API; what is not
//! imported is listed on stderr with exit 0; bad input exits 2 with its place.

mod common;

use common::seam;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// A small HTTP/1.1 API on loopback: `POST /login` gives a token, `GET
/// /users/7` needs it. Returns its base URL; it serves until the test ends.
fn api() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let (mut length, mut auth) = (0, String::new());
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse().unwrap(),
                    "authorization" => auth = v.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, reply) = match (line.split_whitespace().nth(1), auth.as_str()) {
                (Some("/login"), "") if line.starts_with("POST") => {
                    ("200 OK", r#"{"token": "t-1", "user": {"id": 7}}"#)
                }
                (Some("/users/7"), "Bearer t-1") => ("200 OK", r#"{"id": 7, "name": "Ann"}"#),
                _ => ("401 Unauthorized", "{}"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    url
}

const COLLECTION: &str = r#"{
  "info": {"name": "users", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
  "item": [
    {"name": "login", "auth": {"type": "noauth"},
     "event": [{"listen": "test", "script": {"exec": [
       "var jsonData = pm.response.json();",
       "pm.environment.set('token', jsonData.token);",
       "pm.environment.set('user', jsonData.user.id);",
       "pm.expect(jsonData.token.split('-').length).to.eql(2);"]}}],
     "request": {"method": "POST", "url": "{{base}}/login", "body": {"mode": "raw", "raw": "{\"id\": \"{{$guid}}\"}"}}},
    {"name": "me", "event": [{"listen": "test", "script": {"exec": ["pm.response.to.have.status(200);", "pm.expect(pm.response.json().name).to.eql('Ann');"]}}],
     "request": {"method": "GET", "url": "{{base}}/users/{{user}}"}}
  ]
}"#;

#[test]
fn a_collection_and_its_environment_import_list_what_is_lost_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let base = api();
    let collection = dir.path().join("users.postman_collection.json");
    std::fs::write(&collection, COLLECTION).unwrap();
    let env = dir.path().join("local.postman_environment.json");
    // with a BOM, as some editors save it
    std::fs::write(
        &env,
        format!("\u{feff}{{\"name\": \"local\", \"values\": [{{\"key\": \"base\", \"value\": \"{}\", \"enabled\": true}}]}}", base),
    )
    .unwrap();
    let suite = dir.path().join("users.yaml");
    let (code, out, err) = seam(&[
        "import",
        "postman",
        collection.to_str().unwrap(),
        "--env",
        env.to_str().unwrap(),
        "-o",
        suite.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "not imported:\n  login: test script line 4: pm.expect(jsonData.token.split('-').length).to.eql(2) (`jsonData.token.split('-').length` is not read from the response)\n"
    );
    let yaml = std::fs::read_to_string(&suite).unwrap();
    let (code, out, err) = seam(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 0, "{yaml}\n{out}{err}");
    assert!(out.contains("1 passed"), "{out}");

    // without the environment, the undefined variable is named
    let (code, _, err) = seam(&["import", "postman", collection.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("  login: variable {{base}} (defined nowhere in the collection; give `--env FILE` to seam import or `--var base=...` to seam test)"),
        "{err}"
    );
}

#[test]
fn nothing_lost_means_nothing_said_and_bad_input_exits_2_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        "\u{feff}{\"info\": {\"name\": \"g\"}, \"item\": [{\"name\": \"a\", \"request\": \"http://127.0.0.1:9/a\"}]}",
    )
    .unwrap();
    let (code, out, err) = seam(&["import", "postman", good.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("path: http://127.0.0.1:9/a"), "{out}");

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": 5}]}"#,
    )
    .unwrap();
    let out_file = dir.path().join("never.yaml");
    let (code, _, err) = seam(&[
        "import",
        "postman",
        bad.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: {}:1:59: at $.item[0].request: expected an object, found a number\n",
            bad.display()
        )
    );
    assert!(!out_file.exists(), "nothing is written for bad input");

    let har = dir.path().join("s.har");
    std::fs::write(&har, "\u{feff}{\"log\": {\"entries\": \"x\"}}").unwrap();
    let (code, _, err) = seam(&["import", "har", har.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("s.har:1:21: at $.log.entries: expected an array, found a string"),
        "{err}"
    );
    let (code, _, err) = seam(&[
        "import",
        "har",
        har.to_str().unwrap(),
        "--env",
        good.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--env and --globals are for Postman collections"),
        "{err}"
    );
}
