//! A fake of the pull-request part of two forges' REST APIs, GitHub (v3) and Gitea/Forgejo (`/api/v1`), with
//! the real protocols' awkward parts:
//!
//! - auth by `Authorization: Bearer T` or `token T` only (never a query parameter), 401 with each forge's body;
//! - GitHub answers a second open pull request for the same head and base with **422** `Validation Failed`
//!   (`"code":"custom"`, "A pull request already exists for owner:branch."), Gitea with **409** (older
//!   versions 422, see [`FakeForge::set_conflict_status`]) and a message naming the existing pull request;
//! - GitHub's list filters by `head=owner:branch` but silently ignores a `head` without an owner (it lists
//!   everything); Gitea's list ignores `head` altogether, so a client must filter itself or use Gitea's
//!   `GET /repos/{o}/{r}/pulls/{base}/{head}`;
//! - Gitea has no `draft` field (a `draft` a client sends is ignored): a title starting with `WIP:` is a draft;
//! - pagination: `per_page`/`page` (GitHub) and `limit`/`page` (Gitea), capped by
//!   [`FakeForge::set_max_page_size`], with a `Link` header (`rel="next"`, `rel="last"`, ...) when there are
//!   more pages and Gitea's `X-Total-Count`;
//! - injected failures ([`FakeForge::fail_next`]): rate limits (GitHub's 403 with `x-ratelimit-remaining: 0`
//!   and its secondary-limit 403/429 with `Retry-After`) and server errors, 502/503 as HTML like a proxy's.
//!
//! No git repository is involved: a pull request's head branch need not exist anywhere.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::RecordedRequest;

/// The token the fake accepts until [`FakeForge::set_token`] changes it.
pub const FAKE_FORGE_TOKEN: &str = "fake-forge-token-0123456789";

/// The login of the token's user (the author of pull requests created through the API).
pub const FAKE_FORGE_LOGIN: &str = "autodev-bot";

const GITHUB_DOCS: &str = "https://docs.github.com/rest";
const GITHUB_CREATE_DOCS: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
const GITHUB_RATE_DOCS: &str =
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";

/// Which forge's REST API the fake speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgeFlavor {
    /// GitHub's REST API v3, rooted at the server (`/repos/...`).
    GitHub,
    /// Gitea's (and Forgejo's) REST API, rooted at `/api/v1`.
    Gitea,
}

/// A pull request as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePull {
    /// The per-repository number (`number` in both forges' JSON; Gitea calls it the index).
    pub number: u64,
    /// The title as sent (on Gitea including a `WIP:` prefix).
    pub title: String,
    /// The body as sent (empty when none).
    pub body: String,
    /// The head branch name, without an `owner:` prefix.
    pub head: String,
    /// The base branch name.
    pub base: String,
    /// GitHub: the `draft` sent; Gitea: whether the title starts with `WIP:`.
    pub draft: bool,
    /// `open` or `closed`.
    pub state: String,
    /// `{web}/{owner}/{repo}/pull/{n}` (GitHub) or `{web}/{owner}/{repo}/pulls/{n}` (Gitea).
    pub html_url: String,
}

/// A comment posted on a pull request (`POST .../issues/{n}/comments`, the same in both forges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    /// `owner/repo`.
    pub repo: String,
    /// The pull request's number.
    pub number: u64,
    /// The comment's text.
    pub body: String,
}

#[derive(Debug, Clone)]
struct Repo {
    id: u64,
    owner: String,
    name: String,
    default_branch: String,
}

#[derive(Debug, Clone)]
struct Pull {
    /// Index into `Inner::repos`.
    repo: usize,
    id: u64,
    issue_id: u64,
    head_owner: String,
    seq: u64,
    pull: FakePull,
}

/// What a new pull request is made of.
#[derive(Debug)]
struct NewPull<'a> {
    head_owner: &'a str,
    head: &'a str,
    base: &'a str,
    title: &'a str,
    body: &'a str,
    draft: bool,
}

#[derive(Debug)]
struct Inner {
    token: String,
    repos: Vec<Repo>,
    pulls: Vec<Pull>,
    comments: Vec<FakeComment>,
    failures: VecDeque<(u16, Vec<(String, String)>)>,
    max_page: usize,
    conflict_status: u16,
    requests: Vec<RecordedRequest>,
    next_id: u64,
}

#[derive(Debug)]
struct State {
    flavor: ForgeFlavor,
    web: String,
    inner: Mutex<Inner>,
}

impl State {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn api(&self) -> String {
        match self.flavor {
            ForgeFlavor::GitHub => self.web.clone(),
            ForgeFlavor::Gitea => format!("{}/api/v1", self.web),
        }
    }
}

impl Inner {
    fn repo_index(&self, owner: &str, name: &str) -> Option<usize> {
        // Both forges match owner and repository names case-insensitively.
        self.repos
            .iter()
            .position(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(name))
    }

    fn ensure_repo(&mut self, owner: &str, name: &str) -> usize {
        if let Some(i) = self.repo_index(owner, name) {
            return i;
        }
        self.next_id += 1;
        self.repos.push(Repo {
            id: self.next_id,
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: "main".to_owned(),
        });
        self.repos.len() - 1
    }

    fn open_pull(&self, repo: usize, head_owner: &str, head: &str, base: &str) -> Option<&Pull> {
        self.pulls.iter().find(|p| {
            p.repo == repo
                && p.pull.state == "open"
                && p.head_owner.eq_ignore_ascii_case(head_owner)
                && p.pull.head == head
                && p.pull.base == base
        })
    }

    /// Stores a new open pull request and returns its position in `pulls`.
    fn insert_pull(
        &mut self,
        web: &str,
        flavor: ForgeFlavor,
        repo: usize,
        new: NewPull<'_>,
    ) -> usize {
        let NewPull {
            head_owner,
            head,
            base,
            title,
            body,
            draft,
        } = new;
        let number = self.pulls.iter().filter(|p| p.repo == repo).count() as u64 + 1;
        self.next_id += 1;
        let id = 1000 + self.next_id;
        let r = &self.repos[repo];
        let html_url = match flavor {
            ForgeFlavor::GitHub => format!("{web}/{}/{}/pull/{number}", r.owner, r.name),
            ForgeFlavor::Gitea => format!("{web}/{}/{}/pulls/{number}", r.owner, r.name),
        };
        self.pulls.push(Pull {
            repo,
            id,
            issue_id: id + 500,
            head_owner: head_owner.to_owned(),
            seq: self.next_id,
            pull: FakePull {
                number,
                title: title.to_owned(),
                body: body.to_owned(),
                head: head.to_owned(),
                base: base.to_owned(),
                draft,
                state: "open".to_owned(),
                html_url,
            },
        });
        self.pulls.len() - 1
    }
}

/// A fake GitHub or Gitea REST API for pull requests. Stops when dropped.
#[derive(Debug)]
pub struct FakeForge {
    addr: SocketAddr,
    state: Arc<State>,
    /// Held for its `Drop`: stops and joins the fake.
    _server: crate::serve::Background,
}

impl FakeForge {
    /// A fake GitHub on `127.0.0.1:0`; panics if it cannot start (tests only).
    pub fn github() -> Self {
        match Self::try_start(ForgeFlavor::GitHub) {
            Ok(f) => f,
            Err(e) => panic!("cannot start FakeForge (GitHub): {e}"),
        }
    }

    /// A fake Gitea on `127.0.0.1:0`; panics if it cannot start (tests only).
    pub fn gitea() -> Self {
        match Self::try_start(ForgeFlavor::Gitea) {
            Ok(f) => f,
            Err(e) => panic!("cannot start FakeForge (Gitea): {e}"),
        }
    }

    /// Starts a fake of `flavor` on `127.0.0.1:0`, accepting [`FAKE_FORGE_TOKEN`] and knowing no repository.
    pub fn try_start(flavor: ForgeFlavor) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            flavor,
            web: format!("http://{addr}"),
            inner: Mutex::new(Inner {
                token: FAKE_FORGE_TOKEN.to_owned(),
                repos: Vec::new(),
                pulls: Vec::new(),
                comments: Vec::new(),
                failures: VecDeque::new(),
                max_page: 30,
                conflict_status: 409,
                requests: Vec::new(),
                next_id: 0,
            }),
        });
        let shared = Arc::clone(&state);
        let app = axum::Router::new()
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let state = Arc::clone(&shared);
                    async move { handle(&state, &method, &uri, &headers, &body) }
                },
            )
            .layer(DefaultBodyLimit::disable());
        let server = crate::serve::Background::spawn(format!("fake-forge-{addr}"), listener, app)?;
        Ok(Self {
            addr,
            state,
            _server: server,
        })
    }

    /// Which forge this fake speaks.
    pub fn flavor(&self) -> ForgeFlavor {
        self.state.flavor
    }

    /// The API base a client is configured with: GitHub `http://127.0.0.1:PORT`, Gitea
    /// `http://127.0.0.1:PORT/api/v1`.
    pub fn api_base(&self) -> String {
        self.state.api()
    }

    /// The web base of `html_url`s: `http://127.0.0.1:PORT`.
    pub fn web_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes `token` the only token accepted; any other, or none, gets 401.
    pub fn set_token(&self, token: &str) {
        token.clone_into(&mut self.state.lock().token);
    }

    /// Makes `owner/repo` exist (default branch `main`); requests for any other repository get 404.
    pub fn add_repo(&self, owner: &str, repo: &str) {
        self.state.lock().ensure_repo(owner, repo);
    }

    /// Sets the `default_branch` that `GET /repos/{owner}/{repo}` reports (adding the repository if needed).
    pub fn set_default_branch(&self, owner: &str, repo: &str, branch: &str) {
        let mut s = self.state.lock();
        let i = s.ensure_repo(owner, repo);
        branch.clone_into(&mut s.repos[i].default_branch);
    }

    /// Every pull request so far (created through the API or with [`FakeForge::add_pull`]), any state,
    /// oldest first.
    pub fn pulls(&self) -> Vec<FakePull> {
        self.state
            .lock()
            .pulls
            .iter()
            .map(|p| p.pull.clone())
            .collect()
    }

    /// Pre-creates an open pull request in `owner/repo` (added if needed) from `head` (`branch` or
    /// `owner:branch`) into `base`, authored by [`FAKE_FORGE_LOGIN`]; not a draft unless the forge is Gitea and
    /// the title starts with `WIP:`.
    pub fn add_pull(
        &self,
        owner: &str,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
    ) -> FakePull {
        let mut s = self.state.lock();
        let r = s.ensure_repo(owner, repo);
        let (head_owner, head) = split_head(head, owner);
        let draft = self.state.flavor == ForgeFlavor::Gitea && is_wip(title);
        let i = s.insert_pull(
            &self.state.web,
            self.state.flavor,
            r,
            NewPull {
                head_owner: &head_owner,
                head: &head,
                base,
                title,
                body: "",
                draft,
            },
        );
        s.pulls[i].pull.clone()
    }

    /// Closes pull request `number` of `owner/repo` (so a new one for the same head and base is allowed);
    /// false when there is no such pull request.
    pub fn close_pull(&self, owner: &str, repo: &str, number: u64) -> bool {
        let mut s = self.state.lock();
        let Some(r) = s.repo_index(owner, repo) else {
            return false;
        };
        match s
            .pulls
            .iter_mut()
            .find(|p| p.repo == r && p.pull.number == number)
        {
            Some(p) => {
                "closed".clone_into(&mut p.pull.state);
                true
            }
            None => false,
        }
    }

    /// Every comment posted on a pull request, oldest first.
    pub fn comments(&self) -> Vec<FakeComment> {
        self.state.lock().comments.clone()
    }

    /// The next `n` requests (any endpoint, before authentication is checked) answer `status` with `headers`
    /// and the forge's real body for it:
    ///
    /// - 403 with `x-ratelimit-remaining: 0`: GitHub's primary rate limit (`API rate limit exceeded for ...`);
    /// - 403 with `retry-after`, or 429: GitHub's secondary rate limit (`You have exceeded a secondary rate
    ///   limit...`); on Gitea, which has no rate limiting of its own, a 429 is a proxy's plain-text body;
    /// - any other 403: `Resource not accessible by personal access token` (GitHub) or Gitea's missing scope;
    /// - 502 and 503: an HTML page, as the load balancer or proxy in front of either forge sends;
    /// - anything else: `{"message": <reason>}` in the forge's error shape.
    ///
    /// Calls queue: `fail_next(1, 503, ..)` then `fail_next(1, 429, ..)` fails with 503, then 429.
    pub fn fail_next(&self, n: usize, status: u16, headers: &[(&str, &str)]) {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut s = self.state.lock();
        for _ in 0..n {
            s.failures.push_back((status, headers.clone()));
        }
    }

    /// The most items a list page holds (default 30, GitHub's default `per_page`); a larger `per_page` or
    /// `limit` is capped to it, as both forges cap theirs (GitHub at 100, Gitea at `MAX_RESPONSE_ITEMS`, 50).
    pub fn set_max_page_size(&self, n: usize) {
        self.state.lock().max_page = n.max(1);
    }

    /// The status of Gitea's answer to a second open pull request for the same head and base: 409 (default,
    /// Gitea ≥ 1.17 and Forgejo) or 422 (older Gitea). GitHub always answers 422.
    pub fn set_conflict_status(&self, status: u16) {
        self.state.lock().conflict_status = status;
    }

    /// Every request received so far, in order (failed and unauthorized ones too).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }
}

fn is_wip(title: &str) -> bool {
    // Gitea's default WORK_IN_PROGRESS_PREFIXES are "WIP:" and "[WIP]", matched case-insensitively.
    let t = title.trim_start().to_ascii_lowercase();
    t.starts_with("wip:") || t.starts_with("[wip]")
}

/// `owner:branch` or `branch` → (owner, branch), the owner defaulting to the base repository's.
fn split_head(head: &str, repo_owner: &str) -> (String, String) {
    match head.split_once(':') {
        Some((owner, branch)) => (owner.to_owned(), branch.to_owned()),
        None => (repo_owner.to_owned(), head.to_owned()),
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set: query strings).
fn decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query's parameters, decoded, in order.
fn params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k, true), decode(v, true))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A JSON response in the forge's style.
fn reply(flavor: ForgeFlavor, status: u16, value: &Value) -> Response {
    let content_type = match flavor {
        ForgeFlavor::GitHub => "application/json; charset=utf-8",
        // Gitea writes it without the space.
        ForgeFlavor::Gitea => "application/json;charset=utf-8",
    };
    raw_reply(status, content_type, value.to_string())
}

fn raw_reply(status: u16, content_type: &'static str, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn add_header(response: &mut Response, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().append(name, value);
    }
}

/// GitHub's error body.
fn github_error(status: u16, message: &str, docs: &str) -> Response {
    reply(
        ForgeFlavor::GitHub,
        status,
        &json!({"message": message, "documentation_url": docs, "status": status.to_string()}),
    )
}

/// Gitea's error body (`APIError`).
fn gitea_error(state: &State, status: u16, message: &str) -> Response {
    reply(
        ForgeFlavor::Gitea,
        status,
        &json!({"message": message, "url": format!("{}/api/swagger", state.web)}),
    )
}

fn not_found(state: &State) -> Response {
    match state.flavor {
        ForgeFlavor::GitHub => github_error(404, "Not Found", GITHUB_DOCS),
        ForgeFlavor::Gitea => reply(
            ForgeFlavor::Gitea,
            404,
            &json!({"errors": null, "message": "The target couldn't be found.",
                "url": format!("{}/api/swagger", state.web)}),
        ),
    }
}

/// The injected failure's response.
fn injected(state: &State, status: u16, headers: &[(String, String)]) -> Response {
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let exhausted = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("x-ratelimit-remaining") && v.trim() == "0");
    let mut response = match (state.flavor, status) {
        (_, 502) => raw_reply(
            502,
            "text/html; charset=utf-8",
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n".to_owned(),
        ),
        (_, 503) => raw_reply(
            503,
            "text/html; charset=utf-8",
            "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n".to_owned(),
        ),
        (ForgeFlavor::GitHub, 403) if exhausted => github_error(
            403,
            "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
            GITHUB_RATE_DOCS,
        ),
        (ForgeFlavor::GitHub, 403) if has("retry-after") => github_error(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
            GITHUB_RATE_DOCS,
        ),
        (ForgeFlavor::GitHub, 429) => github_error(
            429,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
            GITHUB_RATE_DOCS,
        ),
        (ForgeFlavor::GitHub, 403) => github_error(
            403,
            "Resource not accessible by personal access token",
            GITHUB_CREATE_DOCS,
        ),
        (ForgeFlavor::GitHub, 500) => reply(
            ForgeFlavor::GitHub,
            500,
            &json!({"message": "Server Error"}),
        ),
        (ForgeFlavor::GitHub, code) => github_error(
            code,
            StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error"),
            GITHUB_DOCS,
        ),
        (ForgeFlavor::Gitea, 429) => raw_reply(
            429,
            "text/plain; charset=utf-8",
            "Too Many Requests\n".to_owned(),
        ),
        (ForgeFlavor::Gitea, 403) => gitea_error(
            state,
            403,
            "token does not have at least one of required scope(s): [write:repository]",
        ),
        (ForgeFlavor::Gitea, code) => gitea_error(
            state,
            code,
            StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error"),
        ),
    };
    for (k, v) in headers {
        add_header(&mut response, k, v);
    }
    response
}

/// Checks the `Authorization` header (`Bearer T` or `token T`, scheme case-insensitive): the 401 to answer,
/// if any.
fn refusal(state: &State, headers: &HeaderMap, token: &str) -> Option<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")
        })
        .map(|(_, t)| t.trim().to_owned());
    match (state.flavor, given) {
        (_, Some(t)) if t == token => None,
        (ForgeFlavor::GitHub, None) => {
            Some(github_error(401, "Requires authentication", GITHUB_DOCS))
        }
        (ForgeFlavor::GitHub, Some(_)) => Some(github_error(401, "Bad credentials", GITHUB_DOCS)),
        (ForgeFlavor::Gitea, None) => Some(gitea_error(state, 401, "token is required")),
        (ForgeFlavor::Gitea, Some(_)) => Some(gitea_error(
            state,
            401,
            "user does not exist [uid: 0, name: ]",
        )),
    }
}

fn handle(state: &State, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let record = RecordedRequest::new(method, uri, headers, body);
    let (failure, token) = {
        let mut s = state.lock();
        s.requests.push(record);
        (s.failures.pop_front(), s.token.clone())
    };
    if let Some((status, headers)) = failure {
        return injected(state, status, &headers);
    }
    let prefix = match state.flavor {
        ForgeFlavor::GitHub => "",
        ForgeFlavor::Gitea => "/api/v1",
    };
    let Some(path) = uri.path().strip_prefix(prefix) else {
        return not_found(state);
    };
    if let Some(response) = refusal(state, headers, &token) {
        return response;
    }
    let segments: Vec<String> = path.split('/').skip(1).map(|s| decode(s, false)).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query = params(uri.query().unwrap_or_default());
    match segments.as_slice() {
        ["user"] if method == Method::GET => user(state),
        ["repos", owner, repo, rest @ ..] => {
            let Some(r) = state.lock().repo_index(owner, repo) else {
                return not_found(state);
            };
            match (method.as_str(), rest) {
                ("GET", []) => repository(state, r),
                ("GET", ["pulls"]) => list(state, r, uri, &query),
                ("POST", ["pulls"]) => create(state, r, body),
                ("GET", ["pulls", n]) => match n.parse::<u64>() {
                    Ok(n) => one(state, r, n),
                    Err(_) => not_found(state),
                },
                ("PATCH", ["pulls", n]) => match n.parse::<u64>() {
                    Ok(n) => update(state, r, n, body),
                    Err(_) => not_found(state),
                },
                // Gitea ≥ 1.21: the open pull request of a base/head pair; the head may hold slashes.
                ("GET", ["pulls", base, head @ ..])
                    if state.flavor == ForgeFlavor::Gitea && !head.is_empty() =>
                {
                    by_base_head(state, r, base, &head.join("/"))
                }
                ("POST", ["issues", n, "comments"]) => match n.parse::<u64>() {
                    Ok(n) => comment(state, r, n, body),
                    Err(_) => not_found(state),
                },
                _ => not_found(state),
            }
        }
        _ => not_found(state),
    }
}

fn user_json(state: &State) -> Value {
    match state.flavor {
        ForgeFlavor::GitHub => json!({"login": FAKE_FORGE_LOGIN, "id": 1, "type": "User"}),
        ForgeFlavor::Gitea => {
            json!({"id": 1, "login": FAKE_FORGE_LOGIN, "username": FAKE_FORGE_LOGIN, "login_name": ""})
        }
    }
}

fn user(state: &State) -> Response {
    reply(state.flavor, 200, &user_json(state))
}

fn repo_json(state: &State, repo: &Repo) -> Value {
    let full_name = format!("{}/{}", repo.owner, repo.name);
    let html_url = format!("{}/{full_name}", state.web);
    match state.flavor {
        ForgeFlavor::GitHub => json!({
            "id": repo.id,
            "name": repo.name,
            "full_name": full_name,
            "owner": {"login": repo.owner},
            "private": false,
            "html_url": html_url,
            "url": format!("{}/repos/{full_name}", state.web),
            "clone_url": format!("{html_url}.git"),
            "default_branch": repo.default_branch,
        }),
        ForgeFlavor::Gitea => json!({
            "id": repo.id,
            "name": repo.name,
            "full_name": full_name,
            "owner": {"id": repo.id, "login": repo.owner, "username": repo.owner},
            "private": false,
            "fork": false,
            "html_url": html_url,
            "clone_url": format!("{html_url}.git"),
            "default_branch": repo.default_branch,
        }),
    }
}

fn repository(state: &State, r: usize) -> Response {
    let repo = state.lock().repos[r].clone();
    reply(state.flavor, 200, &repo_json(state, &repo))
}

fn fake_sha(seed: u64) -> String {
    format!(
        "{:016x}{:016x}{:08x}",
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        seed.wrapping_mul(0xc2b2_ae3d_27d4_eb4f),
        seed as u32
    )
}

fn pull_json(state: &State, inner: &Inner, p: &Pull) -> Value {
    let repo = &inner.repos[p.repo];
    let full_name = format!("{}/{}", repo.owner, repo.name);
    let f = &p.pull;
    let same_repo = p.head_owner.eq_ignore_ascii_case(&repo.owner);
    match state.flavor {
        ForgeFlavor::GitHub => json!({
            "id": p.id,
            "number": f.number,
            "url": format!("{}/repos/{full_name}/pulls/{}", state.web, f.number),
            "html_url": f.html_url,
            "state": f.state,
            "draft": f.draft,
            "locked": false,
            "title": f.title,
            "body": if f.body.is_empty() { Value::Null } else { json!(f.body) },
            "user": {"login": FAKE_FORGE_LOGIN, "id": 1, "type": "User"},
            "head": {
                "label": format!("{}:{}", p.head_owner, f.head),
                "ref": f.head,
                "sha": fake_sha(p.id),
                "user": {"login": p.head_owner},
                "repo": {"full_name": format!("{}/{}", p.head_owner, repo.name)},
            },
            "base": {
                "label": format!("{}:{}", repo.owner, f.base),
                "ref": f.base,
                "sha": fake_sha(p.id + 1),
                "user": {"login": repo.owner},
                "repo": repo_json(state, repo),
            },
            "merged": false,
            "mergeable": Value::Null,
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        }),
        ForgeFlavor::Gitea => json!({
            "id": p.id,
            "url": f.html_url,
            "number": f.number,
            "user": user_json(state),
            "title": f.title,
            "body": f.body,
            "labels": [],
            "milestone": null,
            "assignee": null,
            "assignees": null,
            "state": f.state,
            "is_locked": false,
            "comments": 0,
            "html_url": f.html_url,
            "diff_url": format!("{}.diff", f.html_url),
            "patch_url": format!("{}.patch", f.html_url),
            "mergeable": true,
            "merged": false,
            "merged_at": null,
            "merge_commit_sha": null,
            "merged_by": null,
            "draft": f.draft,
            "base": {
                "label": f.base,
                "ref": f.base,
                "sha": fake_sha(p.id + 1),
                "repo_id": repo.id,
                "repo": repo_json(state, repo),
            },
            "head": {
                // Gitea labels a same-repository head with the bare branch, a fork's with `owner:branch`.
                "label": if same_repo { f.head.clone() } else { format!("{}:{}", p.head_owner, f.head) },
                "ref": f.head,
                "sha": fake_sha(p.id),
                "repo_id": repo.id,
            },
            "merge_base": fake_sha(p.id + 2),
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "closed_at": null,
        }),
    }
}

fn create(state: &State, r: usize, body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return match state.flavor {
            ForgeFlavor::GitHub => github_error(400, "Problems parsing JSON", GITHUB_CREATE_DOCS),
            ForgeFlavor::Gitea => gitea_error(state, 422, "[]: Invalid JSON"),
        };
    };
    let field = |k: &str| {
        request[k]
            .as_str()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let (title, head, base) = (field("title"), field("head"), field("base"));
    let missing: Vec<&str> = [("title", &title), ("head", &head), ("base", &base)]
        .into_iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| k)
        .collect();
    if !missing.is_empty() {
        return match state.flavor {
            ForgeFlavor::GitHub => reply(
                ForgeFlavor::GitHub,
                422,
                &json!({
                    "message": "Validation Failed",
                    "errors": missing.iter().map(|f| json!({"resource": "PullRequest", "field": f, "code": "missing_field"})).collect::<Vec<_>>(),
                    "documentation_url": GITHUB_CREATE_DOCS,
                    "status": "422",
                }),
            ),
            ForgeFlavor::Gitea => {
                let names: Vec<String> = missing
                    .iter()
                    .map(|f| {
                        let mut c = f.chars();
                        c.next()
                            .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                gitea_error(state, 422, &format!("[{}]: Required", names.join(", ")))
            }
        };
    }
    let text = request["body"].as_str().unwrap_or_default().to_owned();
    let mut s = state.lock();
    let repo_owner = s.repos[r].owner.clone();
    let (head_owner, head_ref) = split_head(&head, &repo_owner);
    if let Some(existing) = s.open_pull(r, &head_owner, &head_ref, &base) {
        return match state.flavor {
            ForgeFlavor::GitHub => reply(
                ForgeFlavor::GitHub,
                422,
                &json!({
                    "message": "Validation Failed",
                    "errors": [{"resource": "PullRequest", "code": "custom",
                        "message": format!("A pull request already exists for {head_owner}:{head_ref}.")}],
                    "documentation_url": GITHUB_CREATE_DOCS,
                    "status": "422",
                }),
            ),
            ForgeFlavor::Gitea => {
                let repo_id = s.repos[r].id;
                let message = format!(
                    "pull request already exists for these targets [id: {}, issue_id: {}, head_repo_id: {repo_id}, base_repo_id: {repo_id}, head_branch: {head_ref}, base_branch: {base}]",
                    existing.id, existing.issue_id
                );
                gitea_error(state, s.conflict_status, &message)
            }
        };
    }
    let draft = match state.flavor {
        ForgeFlavor::GitHub => request["draft"].as_bool().unwrap_or(false),
        // Gitea's CreatePullRequestOption has no draft: the title prefix decides.
        ForgeFlavor::Gitea => is_wip(&title),
    };
    let i = s.insert_pull(
        &state.web,
        state.flavor,
        r,
        NewPull {
            head_owner: &head_owner,
            head: &head_ref,
            base: &base,
            title: &title,
            body: &text,
            draft,
        },
    );
    let value = pull_json(state, &s, &s.pulls[i]);
    let mut response = reply(state.flavor, 201, &value);
    if state.flavor == ForgeFlavor::GitHub
        && let Some(url) = value["url"].as_str()
    {
        add_header(&mut response, "location", url);
    }
    response
}

fn list(state: &State, r: usize, uri: &Uri, query: &[(String, String)]) -> Response {
    let s = state.lock();
    let wanted_state = param(query, "state").unwrap_or("open");
    // GitHub filters by `head` only in the `owner:branch` form; a bare branch is silently ignored.
    let head_filter = match state.flavor {
        ForgeFlavor::GitHub => param(query, "head").and_then(|h| h.split_once(':')),
        ForgeFlavor::Gitea => None,
    };
    let base_filter = match state.flavor {
        ForgeFlavor::GitHub => param(query, "base"),
        ForgeFlavor::Gitea => None,
    };
    let mut matching: Vec<&Pull> = s
        .pulls
        .iter()
        .filter(|p| p.repo == r)
        .filter(|p| wanted_state == "all" || p.pull.state == wanted_state)
        .filter(|p| {
            head_filter.is_none_or(|(owner, branch)| {
                p.head_owner.eq_ignore_ascii_case(owner) && p.pull.head == branch
            })
        })
        .filter(|p| base_filter.is_none_or(|b| p.pull.base == b))
        .collect();
    // Both forges list the newest first by default.
    matching.sort_by_key(|p| std::cmp::Reverse(p.seq));
    let size_key = match state.flavor {
        ForgeFlavor::GitHub => "per_page",
        ForgeFlavor::Gitea => "limit",
    };
    let size = param(query, size_key)
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(30)
        .min(s.max_page);
    let page = param(query, "page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1);
    let total = matching.len();
    let pages = total.div_ceil(size).max(1);
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|p| pull_json(state, &s, p))
        .collect();
    let mut response = reply(state.flavor, 200, &Value::Array(items));
    if pages > 1 {
        let base = format!("{}{}", state.web, uri.path());
        let kept: Vec<&str> = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("page="))
            .collect();
        let link = |n: usize, rel: &str| {
            let mut q = kept.clone();
            let page = format!("page={n}");
            q.push(&page);
            format!("<{base}?{}>; rel=\"{rel}\"", q.join("&"))
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(link((page - 1).min(pages), "prev"));
        }
        if page < pages {
            links.push(link(page + 1, "next"));
            links.push(link(pages, "last"));
        }
        if page > 1 {
            links.push(link(1, "first"));
        }
        if !links.is_empty() {
            add_header(&mut response, "link", &links.join(", "));
        }
    }
    if state.flavor == ForgeFlavor::Gitea {
        add_header(&mut response, "x-total-count", &total.to_string());
        add_header(
            &mut response,
            "access-control-expose-headers",
            "X-Total-Count, Link",
        );
    }
    response
}

fn one(state: &State, r: usize, number: u64) -> Response {
    let s = state.lock();
    match s
        .pulls
        .iter()
        .find(|p| p.repo == r && p.pull.number == number)
    {
        Some(p) => reply(state.flavor, 200, &pull_json(state, &s, p)),
        None => not_found(state),
    }
}

fn by_base_head(state: &State, r: usize, base: &str, head: &str) -> Response {
    let s = state.lock();
    let repo_owner = s.repos[r].owner.clone();
    let (head_owner, head_ref) = split_head(head, &repo_owner);
    match s.open_pull(r, &head_owner, &head_ref, base) {
        Some(p) => reply(state.flavor, 200, &pull_json(state, &s, p)),
        None => not_found(state),
    }
}

fn update(state: &State, r: usize, number: u64, body: &[u8]) -> Response {
    let request = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    let mut s = state.lock();
    let Some(i) = s
        .pulls
        .iter()
        .position(|p| p.repo == r && p.pull.number == number)
    else {
        drop(s);
        return not_found(state);
    };
    let p = &mut s.pulls[i].pull;
    if let Some(t) = request["title"].as_str() {
        t.clone_into(&mut p.title);
        if state.flavor == ForgeFlavor::Gitea {
            p.draft = is_wip(t);
        }
    }
    if let Some(b) = request["body"].as_str() {
        b.clone_into(&mut p.body);
    }
    if let Some(st) = request["state"]
        .as_str()
        .filter(|s| ["open", "closed"].contains(s))
    {
        st.clone_into(&mut p.state);
    }
    let value = pull_json(state, &s, &s.pulls[i]);
    let status = match state.flavor {
        ForgeFlavor::GitHub => 200,
        ForgeFlavor::Gitea => 201,
    };
    reply(state.flavor, status, &value)
}

fn comment(state: &State, r: usize, number: u64, body: &[u8]) -> Response {
    let request = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    let mut s = state.lock();
    if !s
        .pulls
        .iter()
        .any(|p| p.repo == r && p.pull.number == number)
    {
        drop(s);
        return not_found(state);
    }
    let Some(text) = request["body"].as_str().filter(|t| !t.is_empty()) else {
        drop(s);
        return match state.flavor {
            ForgeFlavor::GitHub => reply(
                ForgeFlavor::GitHub,
                422,
                &json!({"message": "Validation Failed",
                    "errors": [{"resource": "IssueComment", "field": "body", "code": "missing_field"}],
                    "documentation_url": GITHUB_DOCS, "status": "422"}),
            ),
            ForgeFlavor::Gitea => gitea_error(state, 422, "[Body]: Required"),
        };
    };
    let repo = &s.repos[r];
    let full_name = format!("{}/{}", repo.owner, repo.name);
    s.next_id += 1;
    let id = 5000 + s.next_id;
    s.comments.push(FakeComment {
        repo: full_name.clone(),
        number,
        body: text.to_owned(),
    });
    let html_url = match state.flavor {
        ForgeFlavor::GitHub => format!("{}/{full_name}/pull/{number}#issuecomment-{id}", state.web),
        ForgeFlavor::Gitea => format!("{}/{full_name}/pulls/{number}#issuecomment-{id}", state.web),
    };
    reply(
        state.flavor,
        201,
        &json!({"id": id, "html_url": html_url, "body": text, "user": user_json(state)}),
    )
}

#[cfg(test)]
mod tests;
