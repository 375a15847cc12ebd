//! Each test talks plain HTTP/1.1 over a `TcpStream`, so the fake's bytes are what is checked.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

use super::*;

const TOKEN: &str = "s3cret-token";

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

/// Sends one request; `path` is relative to the fake's API base.
fn call(
    fake: &FakeForge,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let url = format!("{}{path}", fake.api_base());
    let rest = url.strip_prefix("http://").unwrap();
    let (host, target) = rest.split_at(rest.find('/').unwrap());
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(auth) = auth {
        request.push_str(&format!("Authorization: {auth}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut stream = TcpStream::connect(host).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, text) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        text: text.to_owned(),
    }
}

fn github() -> FakeForge {
    let fake = FakeForge::github();
    fake.set_token(TOKEN);
    fake.add_repo("acme", "widget");
    fake
}

fn gitea() -> FakeForge {
    let fake = FakeForge::gitea();
    fake.set_token(TOKEN);
    fake.add_repo("acme", "widget");
    fake
}

fn bearer() -> Option<&'static str> {
    Some("Bearer s3cret-token")
}

fn token() -> Option<&'static str> {
    Some("token s3cret-token")
}

fn new_pull(head: &str, title: &str) -> Value {
    json!({"title": title, "head": head, "base": "main", "body": "Explanation", "draft": true})
}

#[test]
fn bases() {
    let gh = FakeForge::github();
    let gt = FakeForge::gitea();
    assert_eq!(gh.api_base(), gh.web_base());
    assert_eq!(gt.api_base(), format!("{}/api/v1", gt.web_base()));
    assert!(gh.web_base().starts_with("http://127.0.0.1:"));
    assert_eq!(gh.flavor(), ForgeFlavor::GitHub);
}

#[test]
fn github_create_answers_201_with_the_real_shape() {
    let fake = github();
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(new_pull("autodev/t1", "Fix it")),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let v = r.json();
    let html = format!("{}/acme/widget/pull/1", fake.web_base());
    assert_eq!(v["number"], 1);
    assert!(v["id"].as_u64().is_some());
    assert_eq!(v["html_url"], html.as_str());
    assert_eq!(
        v["url"],
        format!("{}/repos/acme/widget/pulls/1", fake.api_base()).as_str()
    );
    assert_eq!(r.header("location"), v["url"].as_str());
    assert_eq!(v["state"], "open");
    assert_eq!(v["draft"], true);
    assert_eq!(v["title"], "Fix it");
    assert_eq!(v["body"], "Explanation");
    assert_eq!(v["head"]["ref"], "autodev/t1");
    assert_eq!(v["head"]["label"], "acme:autodev/t1");
    assert_eq!(v["head"]["sha"].as_str().map(str::len), Some(40));
    assert_eq!(v["base"]["ref"], "main");
    assert_eq!(v["user"]["login"], FAKE_FORGE_LOGIN);
    assert_eq!(
        fake.pulls(),
        vec![FakePull {
            number: 1,
            title: "Fix it".into(),
            body: "Explanation".into(),
            head: "autodev/t1".into(),
            base: "main".into(),
            draft: true,
            state: "open".into(),
            html_url: html,
        }]
    );
    // `token T` is accepted too, and the request is recorded with its headers.
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?state=all",
        token(),
        None,
    );
    assert_eq!(r.status, 200);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/repos/acme/widget/pulls");
    assert_eq!(requests[0].body["head"], "autodev/t1");
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer s3cret-token")
    );
    assert_eq!(requests[1].query, "state=all");
    for request in &requests {
        let elsewhere = request.path.contains(TOKEN)
            || request.query.contains(TOKEN)
            || request.raw.contains(TOKEN)
            || request
                .headers
                .iter()
                .any(|(k, v)| k != "authorization" && v.contains(TOKEN));
        assert!(!elsewhere);
    }
}

#[test]
fn github_second_create_for_the_same_head_and_base_is_422() {
    let fake = github();
    let first = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(new_pull("autodev/t1", "A")),
    );
    assert_eq!(first.status, 201);
    // `owner:branch` names the same head as the bare branch.
    for head in ["autodev/t1", "acme:autodev/t1"] {
        let r = call(
            &fake,
            "POST",
            "/repos/acme/widget/pulls",
            bearer(),
            Some(new_pull(head, "B")),
        );
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(
            r.json(),
            json!({
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "code": "custom",
                    "message": "A pull request already exists for acme:autodev/t1."}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422",
            })
        );
    }
    // Another base, or the same head after the first is closed, is fine.
    let mut other = new_pull("autodev/t1", "C");
    other["base"] = json!("release");
    assert_eq!(
        call(
            &fake,
            "POST",
            "/repos/acme/widget/pulls",
            bearer(),
            Some(other)
        )
        .status,
        201
    );
    assert!(fake.close_pull("acme", "widget", 1));
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(new_pull("autodev/t1", "D")),
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["number"], 3);
    assert_eq!(fake.pulls().len(), 3);
}

#[test]
fn github_missing_fields_are_422_missing_field() {
    let fake = github();
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(json!({"title": "x", "base": "main"})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["code"], "missing_field");
    assert_eq!(r.json()["errors"][0]["field"], "head");
    assert!(fake.pulls().is_empty());
}

#[test]
fn gitea_create_answers_201_and_wip_is_the_draft() {
    let fake = gitea();
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        token(),
        Some(new_pull("autodev/t1", "WIP: Fix it")),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let v = r.json();
    assert_eq!(v["number"], 1);
    assert_eq!(
        v["html_url"],
        format!("{}/acme/widget/pulls/1", fake.web_base()).as_str()
    );
    assert_eq!(v["state"], "open");
    assert_eq!(v["head"]["ref"], "autodev/t1");
    assert_eq!(v["head"]["label"], "autodev/t1");
    assert_eq!(v["base"]["ref"], "main");
    assert_eq!(v["mergeable"], true);
    assert!(fake.pulls()[0].draft);
    // The `draft` field is ignored: without the prefix it is no draft.
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        Some("Bearer s3cret-token"),
        Some(new_pull("autodev/t2", "Fix")),
    );
    assert_eq!(r.status, 201);
    assert!(!fake.pulls()[1].draft);
    assert_eq!(fake.requests()[0].path, "/api/v1/repos/acme/widget/pulls");
}

#[test]
fn gitea_second_create_is_409_or_the_chosen_status() {
    let fake = gitea();
    assert_eq!(
        call(
            &fake,
            "POST",
            "/repos/acme/widget/pulls",
            token(),
            Some(new_pull("autodev/t1", "A"))
        )
        .status,
        201
    );
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        token(),
        Some(new_pull("autodev/t1", "B")),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("pull request already exists for these targets [id: "),
        "{message}"
    );
    assert!(
        message.contains("head_branch: autodev/t1, base_branch: main]"),
        "{message}"
    );
    assert!(r.json()["url"].as_str().is_some());
    fake.set_conflict_status(422);
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        token(),
        Some(new_pull("autodev/t1", "B")),
    );
    assert_eq!(r.status, 422);
    assert_eq!(fake.pulls().len(), 1);
}

#[test]
fn bad_or_missing_token_is_401() {
    let fake = github();
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls",
        Some("Bearer wrong"),
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "Bad credentials");
    assert_eq!(r.json()["status"], "401");
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        None,
        Some(new_pull("b", "t")),
    );
    assert_eq!(r.status, 401);
    assert!(fake.pulls().is_empty());

    let fake = gitea();
    let r = call(&fake, "GET", "/repos/acme/widget/pulls", None, None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "token is required");
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls",
        Some("token nope"),
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "user does not exist [uid: 0, name: ]");
    // A token in the query string is not accepted.
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?token=s3cret-token",
        None,
        None,
    );
    assert_eq!(r.status, 401);
}

#[test]
fn unknown_repository_is_404() {
    let fake = github();
    let r = call(
        &fake,
        "POST",
        "/repos/acme/nope/pulls",
        bearer(),
        Some(new_pull("b", "t")),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "Not Found");
    let fake = gitea();
    let r = call(&fake, "GET", "/repos/nobody/widget", token(), None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"errors": null, "message": "The target couldn't be found.",
            "url": format!("{}/api/swagger", fake.web_base())})
    );
}

#[test]
fn repository_reports_its_default_branch() {
    for fake in [github(), gitea()] {
        let r = call(&fake, "GET", "/repos/acme/widget", token(), None);
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["full_name"], "acme/widget");
        assert_eq!(r.json()["default_branch"], "main");
        assert_eq!(
            r.json()["html_url"],
            format!("{}/acme/widget", fake.web_base()).as_str()
        );
        fake.set_default_branch("acme", "widget", "trunk");
        let r = call(&fake, "GET", "/repos/ACME/Widget", token(), None);
        assert_eq!(r.json()["default_branch"], "trunk");
    }
}

fn numbers(r: &Reply) -> Vec<u64> {
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_u64().unwrap())
        .collect()
}

#[test]
fn github_paginates_with_link() {
    let fake = github();
    for i in 1..=3 {
        fake.add_pull("acme", "widget", &format!("b{i}"), "main", &format!("t{i}"));
    }
    fake.set_max_page_size(2);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?state=open&per_page=100",
        bearer(),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(numbers(&r), vec![3, 2]);
    let link = r.header("link").unwrap().to_owned();
    let api = fake.api_base();
    assert_eq!(
        link,
        format!(
            "<{api}/repos/acme/widget/pulls?state=open&per_page=100&page=2>; rel=\"next\", \
             <{api}/repos/acme/widget/pulls?state=open&per_page=100&page=2>; rel=\"last\""
        )
    );
    let next = link.split_once('<').unwrap().1.split_once('>').unwrap().0;
    let r = call(
        &fake,
        "GET",
        next.strip_prefix(&api).unwrap(),
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), vec![1]);
    let link = r.header("link").unwrap();
    assert!(!link.contains("rel=\"next\""), "{link}");
    assert!(link.contains("rel=\"prev\""), "{link}");
    // Everything on one page: no Link.
    fake.set_max_page_size(30);
    let r = call(&fake, "GET", "/repos/acme/widget/pulls", bearer(), None);
    assert_eq!(numbers(&r), vec![3, 2, 1]);
    assert_eq!(r.header("link"), None);
}

#[test]
fn gitea_paginates_with_link_and_total_count() {
    let fake = gitea();
    for i in 1..=3 {
        fake.add_pull("acme", "widget", &format!("b{i}"), "main", &format!("t{i}"));
    }
    fake.set_max_page_size(1);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?state=open&limit=50&page=2",
        token(),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(numbers(&r), vec![2]);
    assert_eq!(r.header("x-total-count"), Some("3"));
    let link = r.header("link").unwrap();
    assert!(
        link.contains(&format!(
            "<{}/repos/acme/widget/pulls?state=open&limit=50&page=3>; rel=\"next\"",
            fake.api_base()
        )),
        "{link}"
    );
}

#[test]
fn github_filters_by_owner_head_and_ignores_a_bare_branch() {
    let fake = github();
    fake.add_pull("acme", "widget", "autodev/t1", "main", "one");
    fake.add_pull("acme", "widget", "other", "main", "two");
    fake.add_pull("acme", "widget", "fork:autodev/t1", "main", "three");
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?head=acme%3Aautodev%2Ft1&state=open",
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), vec![1]);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?head=acme:autodev/t1&base=release",
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), Vec::<u64>::new());
    // GitHub silently ignores `head` without the owner.
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?head=autodev/t1",
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), vec![3, 2, 1]);
    // Closed ones only with state=closed/all.
    fake.close_pull("acme", "widget", 1);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?head=acme:autodev/t1",
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), Vec::<u64>::new());
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?head=acme:autodev/t1&state=all",
        bearer(),
        None,
    );
    assert_eq!(numbers(&r), vec![1]);
}

#[test]
fn gitea_ignores_the_head_filter_but_finds_by_base_and_head() {
    let fake = gitea();
    fake.add_pull("acme", "widget", "autodev/t1", "main", "one");
    fake.add_pull("acme", "widget", "other", "main", "two");
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls?state=open&head=acme:autodev/t1",
        token(),
        None,
    );
    assert_eq!(numbers(&r), vec![2, 1]);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls/main/autodev/t1",
        token(),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["number"], 1);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls/main/autodev%2Ft1",
        token(),
        None,
    );
    assert_eq!(r.json()["number"], 1);
    let r = call(
        &fake,
        "GET",
        "/repos/acme/widget/pulls/main/missing",
        token(),
        None,
    );
    assert_eq!(r.status, 404);
    let r = call(&fake, "GET", "/repos/acme/widget/pulls/2", token(), None);
    assert_eq!(r.json()["title"], "two");
}

#[test]
fn fail_next_429_with_retry_after_then_success() {
    let fake = github();
    fake.fail_next(1, 429, &[("Retry-After", "7")]);
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(new_pull("b", "t")),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    assert!(fake.pulls().is_empty());
    let r = call(
        &fake,
        "POST",
        "/repos/acme/widget/pulls",
        bearer(),
        Some(new_pull("b", "t")),
    );
    assert_eq!(r.status, 201);
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn fail_next_403_rate_limit_and_server_errors() {
    let fake = github();
    fake.fail_next(
        1,
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1750000000"),
        ],
    );
    fake.fail_next(2, 502, &[]);
    let r = call(&fake, "GET", "/repos/acme/widget/pulls", None, None);
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(r.header("x-ratelimit-reset"), Some("1750000000"));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded for ")
    );
    assert!(r.json()["documentation_url"].as_str().is_some());
    for _ in 0..2 {
        let r = call(&fake, "GET", "/repos/acme/widget/pulls", bearer(), None);
        assert_eq!(r.status, 502);
        assert!(r.text.contains("502 Bad Gateway"));
    }
    assert_eq!(
        call(&fake, "GET", "/repos/acme/widget/pulls", bearer(), None).status,
        200
    );

    let fake = gitea();
    fake.fail_next(1, 500, &[]);
    let r = call(&fake, "GET", "/repos/acme/widget/pulls", token(), None);
    assert_eq!(r.status, 500);
    assert!(r.json()["message"].as_str().is_some());
}

#[test]
fn comments_on_a_pull_request_are_recorded() {
    for fake in [github(), gitea()] {
        fake.add_pull("acme", "widget", "b", "main", "t");
        let r = call(
            &fake,
            "POST",
            "/repos/acme/widget/issues/1/comments",
            token(),
            Some(json!({"body": "pushed again"})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let r = call(
            &fake,
            "POST",
            "/repos/acme/widget/issues/9/comments",
            token(),
            Some(json!({"body": "x"})),
        );
        assert_eq!(r.status, 404);
        assert_eq!(
            fake.comments(),
            vec![FakeComment {
                repo: "acme/widget".into(),
                number: 1,
                body: "pushed again".into()
            }]
        );
    }
}
