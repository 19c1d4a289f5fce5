//! Credentials over real HTTP: read, write and admin tokens, the two
//! basic-auth users, 401 with a challenge, 403 naming the role missing,
//! public health, public reads and public badges when asked for.

mod common;

use common::Backend;
use reqwest::{Client, RequestBuilder};
use seam_broker::{AuthConfig, Role};
use serde_json::{json, Value};

const READ: &str = "read-token-0123456789";
const WRITE: &str = "write-token-0123456789";
const ADMIN: &str = "admin-token-0123456789";

fn config() -> AuthConfig {
    AuthConfig {
        tokens: vec![
            (READ.into(), Role::Read),
            (WRITE.into(), Role::Write),
            (ADMIN.into(), Role::Admin),
        ],
        users: vec![
            ("ci".into(), "ci-secret".into(), Role::Write),
            ("dev".into(), "dev-secret".into(), Role::Read),
        ],
        public_read: false,
        public_badges: false,
    }
}

async fn status(request: RequestBuilder) -> (u16, Value, Option<String>) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body, challenge)
}

#[tokio::test]
async fn each_role_may_do_what_it_should_and_no_more() {
    let broker = common::start_with_auth(Backend::Sqlite, false, false, config()).await;
    let base = broker.url();
    let client = Client::new();

    // health is public; everything else needs credentials
    assert_eq!(status(client.get(format!("{base}/health"))).await.0, 200);
    let (code, body, challenge) = status(client.get(format!("{base}/pacticipants"))).await;
    assert_eq!(code, 401);
    assert!(challenge.unwrap().starts_with("Basic realm="));
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("needs credentials"));
    let (code, body, _) = status(
        client
            .get(format!("{base}/pacticipants"))
            .bearer_auth("wrong-token"),
    )
    .await;
    assert_eq!(code, 401);
    assert!(body["error"].as_str().unwrap().contains("not valid"));

    // a read token reads, and may ask which pacts to verify, but not publish
    let publish = || {
        client
            .post(format!("{base}/contracts/publish"))
            .json(&common::publish_body("1", "/o"))
    };
    let (code, body, _) = status(publish().bearer_auth(READ)).await;
    assert_eq!(code, 403);
    assert!(
        body["error"].as_str().unwrap().contains("read-only"),
        "{body}"
    );
    assert_eq!(status(publish().bearer_auth(WRITE)).await.0, 200);
    assert_eq!(
        status(
            client
                .get(format!("{base}/pacticipants/web"))
                .bearer_auth(READ)
        )
        .await
        .0,
        200
    );
    let for_verification = client
        .post(format!("{base}/pacts/provider/orders/for-verification"))
        .json(&json!({"consumerVersionSelectors": [{"mainBranch": true}]}));
    let (code, body, _) = status(for_verification.bearer_auth(READ)).await;
    assert_eq!(code, 200);
    assert_eq!(body["_embedded"]["pacts"].as_array().unwrap().len(), 1);

    // basic auth: the read-only user reads, the other one writes
    let tag = |user: &str, password: &str| {
        client
            .put(format!("{base}/pacticipants/web/versions/1/tags/prod"))
            .basic_auth(user, Some(password))
            .header("Content-Type", "application/json")
            .body("{}")
    };
    assert_eq!(status(tag("dev", "dev-secret")).await.0, 403);
    assert_eq!(status(tag("ci", "wrong")).await.0, 401);
    assert_eq!(status(tag("ci", "ci-secret")).await.0, 201);

    // deleting a pacticipant takes an admin
    let delete = || client.delete(format!("{base}/pacticipants/web"));
    assert_eq!(status(delete().bearer_auth(WRITE)).await.0, 403);
    assert_eq!(status(delete().bearer_auth(ADMIN)).await.0, 204);
    broker.stop().await;
}

#[tokio::test]
async fn public_reads_and_badges_leave_writes_guarded() {
    let mut auth = config();
    auth.public_badges = true;
    let broker = common::start_with_auth(Backend::Sqlite, false, false, auth.clone()).await;
    let base = broker.url();
    let client = Client::new();
    let badge = format!("{base}/pacts/provider/orders/consumer/web/latest/badge");
    assert_eq!(status(client.get(&badge)).await.0, 200);
    assert_eq!(
        status(client.get(format!("{base}/pacticipants"))).await.0,
        401
    );
    broker.stop().await;

    auth.public_read = true;
    let broker = common::start_with_auth(Backend::Sqlite, false, false, auth).await;
    let base = broker.url();
    assert_eq!(
        status(client.get(format!("{base}/pacticipants"))).await.0,
        200
    );
    let (code, _, challenge) = status(
        client
            .post(format!("{base}/contracts/publish"))
            .json(&common::publish_body("1", "/o")),
    )
    .await;
    assert_eq!(code, 401);
    assert!(challenge.is_some());
    broker.stop().await;
}
