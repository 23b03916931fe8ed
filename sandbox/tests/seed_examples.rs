//! Contract: the seed documents' request examples, replayed against the sandbox.
//!
//! The seed pages (shared/reference/seeds/*.txt), read and parsed at test time — nothing of
//!   them is copied here: every `METHOD https://graph.microsoft.com/…` request example they
//!   contain, with its `Content-Type` and JSON body, is sent as written (the host replaced by
//!   the sandbox's) to a fresh tenant, and must get the status the page shows after it (v1.0
//!   reprocess request 202; v1.0 resume, continue and deny, 204; beta reprocess assignment 202,
//!   in French and in the Chinese markdown source; beta reprocess request on the legacy path
//!   202). The sandbox seeds the examples' own ids (the requests, the assignment and the
//!   waiting callout instances), so nothing is substituted. The beta resume page shows the v1.0
//!   page's two bodies on the beta legacy path: those bodies, parsed from the v1.0 seed, are
//!   sent there too, and on beta's new path.
//!
//! Where a page and the sandbox's reading of it differed: the French seed page separates the words of its example lines with narrow no-break
//!   spaces (U+202F); the parser splits on any whitespace. Nothing to change on either side.

mod common;

use common::*;
use serde_json::{Value, json};

const GRAPH: &str = "https://graph.microsoft.com";

/// One request example of a seed page.
#[derive(Debug)]
struct Example {
    file: String,
    method: String,
    /// The URL as the page writes it, `https://graph.microsoft.com/…`.
    url: String,
    content_type: Option<String>,
    body: Option<Value>,
    /// The status of the response example that follows it.
    status: u16,
}

/// The request examples of a seed page: a line `METHOD https://graph.microsoft.com/…`, its
/// header lines, a JSON body if the next line opens one; the status of the first `HTTP/1.1
/// NNN` line after it (before the next request). Words may be separated by any whitespace.
fn examples(file: &str, text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let request = |l: &str| {
        let mut w = l.split_whitespace();
        match (w.next(), w.next()) {
            (Some(m @ ("GET" | "POST" | "PATCH" | "PUT" | "DELETE")), Some(u))
                if u.starts_with(&format!("{GRAPH}/")) =>
            {
                Some((m.to_string(), u.to_string()))
            }
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let Some((method, url)) = request(line) else {
            continue;
        };
        let mut content_type = None;
        let mut i = n + 1;
        while let Some((name, value)) = lines.get(i).and_then(|l| l.split_once(':')) {
            if name.is_empty() || name.contains(char::is_whitespace) || name.starts_with('{') {
                break;
            }
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
            i += 1;
        }
        let body = lines.get(i).filter(|l| l.starts_with('{')).map(|_| {
            let rest = lines[i..].join("\n");
            let mut values = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
            match values.next() {
                Some(Ok(v)) => v,
                other => panic!("{file}: the body after {url}: {other:?}"),
            }
        });
        let status = lines[n + 1..]
            .iter()
            .take_while(|l| request(l).is_none())
            .find_map(|l| {
                let mut w = l
                    .split_whitespace()
                    .skip_while(|w| !w.starts_with("HTTP/1.1"));
                w.next()?;
                w.next()?.get(..3)?.parse::<u16>().ok()
            })
            .unwrap_or_else(|| panic!("{file}: no response example after {url}"));
        let file = file.to_string();
        out.push(Example {
            file,
            method,
            url,
            content_type,
            body,
            status,
        });
    }
    out
}

/// Every request example of every seed page.
fn seed_examples() -> Vec<Example> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/seeds");
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "the seed pages are read from {dir} (shared/reference/seeds beside the workspace): {e}"
        )
    });
    let mut files: Vec<std::path::PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seed pages (*.txt) in {dir}");
    let mut all = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = examples(&name, &text);
        assert!(!found.is_empty(), "{name}: no request example found");
        all.extend(found);
    }
    all
}

/// Sends an example to `url`; the status and the body text.
async fn replay(r: &Running, token: &str, e: &Example, url: &str) -> (u16, String) {
    let method = reqwest::Method::from_bytes(e.method.as_bytes()).unwrap();
    let mut req = r.http.request(method, url).bearer_auth(token);
    if let Some(ct) = &e.content_type {
        req = req.header(reqwest::header::CONTENT_TYPE, ct);
    }
    if let Some(b) = &e.body {
        req = req.body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn every_request_example_of_the_seed_pages_gets_its_documented_status() {
    let examples = seed_examples();
    let r = start(&[]).await;
    let token = r.token("admin@").await;
    for e in &examples {
        r.control("reset", json!({})).await;
        let (status, body) = replay(&r, &token, e, &e.url.replacen(GRAPH, &r.base, 1)).await;
        println!("{} {} {} → {status}", e.file, e.method, e.url);
        assert_eq!(
            status, e.status,
            "{} {} {}: {body}",
            e.file, e.method, e.url
        );
        assert!(
            body.is_empty(),
            "{}: documented without a body: {body}",
            e.file
        );
    }
    // The seeds hold reprocess (202) and resume (204) examples.
    assert!(
        examples
            .iter()
            .any(|e| e.status == 202 && e.url.ends_with("/reprocess"))
    );
    let resumes: Vec<&Example> = examples
        .iter()
        .filter(|e| e.url.ends_with("/resume"))
        .collect();
    assert!(!resumes.is_empty());
    assert!(resumes.iter().all(|e| e.status == 204 && e.body.is_some()));

    // api-reference/beta/api/accesspackageassignmentrequest-resume.md shows the v1.0 page's
    // bodies on the beta legacy path (and lists the new path too): the same answer there.
    for collection in ["accessPackageAssignmentRequests", "assignmentRequests"] {
        for e in &resumes {
            r.control("reset", json!({})).await;
            let id = e.url.rsplit('/').nth(1).unwrap();
            let url = r.em("beta", &format!("{collection}/{id}/resume"));
            let (status, body) = replay(&r, &token, e, &url).await;
            assert_eq!(status, 204, "beta {collection} {id}: {body}");
            assert!(body.is_empty());
        }
    }
}

#[test]
fn the_example_parser_reads_a_request_its_headers_body_and_status() {
    let page = "Intro\nPOST /identityGovernance/x/{id}/resume\nPOST https://graph.microsoft.com/v1.0/a/b/resume\nContent-Type: application/json\n{\n\"k\": {\"n\": 1}\n}\n// snippet\nResponse\nHTTP/1.1 204 No Content\n```http\nPOST\u{202f}https://graph.microsoft.com/beta/c/reprocess\n```\nHTTP/1.1\u{202f}202\u{202f}Accepted";
    let found = examples("page", page);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].url, "https://graph.microsoft.com/v1.0/a/b/resume");
    assert_eq!(found[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(found[0].body, Some(json!({ "k": { "n": 1 } })));
    assert_eq!(found[0].status, 204);
    assert_eq!((found[1].method.as_str(), found[1].status), ("POST", 202));
    assert!(found[1].body.is_none());
}
