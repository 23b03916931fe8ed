//! Contract: Graph gzips an answer for a caller that accepts it, as every browser does
//! (`Accept-Encoding: gzip, deflate, br, zstd`), and sends it as it is to one that does not;
//! `$batch` answers too. The decompressed answer is the same answer.

mod common;

use std::io::Read;

use common::*;
use serde_json::{Value, json};

async fn raw(r: &Running, token: &str, url: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = r.http.get(url).bearer_auth(token);
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

fn gunzip(bytes: &[u8]) -> Value {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip stream");
    serde_json::from_str(&text).expect("JSON inside")
}

#[tokio::test]
async fn a_list_page_is_gzipped_for_a_browser_and_plain_otherwise() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let url = r.em("v1.0", "assignmentRequests?$expand=accessPackage,requestor");

    let plain = raw(&r, &admin, &url, None).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_bytes = plain.bytes().await.unwrap();
    let plain_json: Value = serde_json::from_slice(&plain_bytes).unwrap();

    let zipped = raw(&r, &admin, &url, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(zipped.status(), 200);
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert!(
        zipped
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Accept-Encoding"))
    );
    let zipped_bytes = zipped.bytes().await.unwrap();
    assert!(
        zipped_bytes.len() * 4 < plain_bytes.len(),
        "{} gzipped against {} plain",
        zipped_bytes.len(),
        plain_bytes.len()
    );
    // The same page (its nextLink included), whatever the encoding.
    assert_eq!(gunzip(&zipped_bytes), plain_json);

    let refused = raw(&r, &admin, &url, Some("gzip;q=0, br")).await;
    assert!(refused.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_batch_answer_is_gzipped_too() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let items: Vec<Value> = (1..=5)
        .map(|i| {
            json!({ "id": i.to_string(), "method": "GET",
                    "url": "/identityGovernance/entitlementManagement/assignmentRequests?$top=20" })
        })
        .collect();
    let resp = r
        .http
        .post(format!("{}/v1.0/$batch", r.base))
        .bearer_auth(&admin)
        .header("accept-encoding", "gzip")
        .json(&json!({ "requests": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let body = gunzip(&resp.bytes().await.unwrap());
    assert_eq!(body["responses"].as_array().unwrap().len(), 5);
}
