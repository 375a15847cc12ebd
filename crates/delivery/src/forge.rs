//! Which forge a remote lives on, and a small client for the pull-request calls of GitHub (REST v3) and
//! Gitea/Forgejo (REST v1): the repository's default branch, the open pull request for a head branch (paged), and
//! creating one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use crate::config::{DeliveryConfig, ForgeSetting};
use crate::secret::{Secrets, Token};
use crate::{Error, Result};

/// The forge a branch was delivered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// GitHub (github.com or Enterprise).
    Github,
    /// Gitea.
    Gitea,
    /// Forgejo.
    Forgejo,
    /// Push only: no pull request.
    None,
}

impl Forge {
    /// `github`, `gitea`, `forgejo`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Forge::Github => "github",
            Forge::Gitea => "gitea",
            Forge::Forgejo => "forgejo",
            Forge::None => "none",
        }
    }

    /// The variables the token is read from, in order, unless `token_env` names one.
    fn token_vars(self) -> &'static [&'static str] {
        match self {
            Forge::Github => &["GITHUB_TOKEN"],
            Forge::Gitea | Forge::Forgejo => &["GITEA_TOKEN", "FORGEJO_TOKEN"],
            Forge::None => &[],
        }
    }

    /// Gitea and Forgejo have no draft field: a `WIP:` title prefix is their convention.
    fn has_draft_field(self) -> bool {
        self == Forge::Github
    }
}

/// Where pull requests go: the forge, its API and the repository.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) forge: Forge,
    pub(crate) api_base: Url,
    pub(crate) owner: String,
    pub(crate) repo: String,
}

/// A remote URL's host and path (`https://h/o/r.git`, `ssh://git@h:22/o/r`, `git@h:o/r.git`); `None` for local
/// paths and `file://`.
pub(crate) fn url_host_path(url: &str) -> Option<(String, String)> {
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme == "file" {
            return None;
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        return Some((host.to_ascii_lowercase(), path.to_owned()));
    }
    // scp-like `[user@]host:path`: a colon before any slash.
    let colon = url.find(':')?;
    if url[..colon].contains('/') {
        return None;
    }
    let host = url[..colon].rsplit('@').next().unwrap_or(&url[..colon]);
    Some((host.to_ascii_lowercase(), url[colon + 1..].to_owned()))
}

/// `owner/name` split in two, both non-empty and free of `/`.
pub(crate) fn split_repository(s: &str) -> Option<(String, String)> {
    let (o, r) = s.trim_matches('/').split_once('/')?;
    let ok = |p: &str| !p.is_empty() && !p.contains('/') && p != "." && p != "..";
    (ok(o) && ok(r)).then(|| (o.to_owned(), r.to_owned()))
}

/// `owner/name` from a remote URL's path (the last two segments, without `.git`).
fn repository_from_path(path: &str) -> Option<(String, String)> {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut segs = path.rsplit('/');
    let repo = segs.next()?;
    let owner = segs.next()?;
    split_repository(&format!("{owner}/{repo}"))
}

/// Works out the forge from `delivery.toml` and the remote's URL; `None` means push only.
pub(crate) fn resolve(
    cfg: &DeliveryConfig,
    remote_url: &str,
    file: &std::path::Path,
) -> Result<Option<Target>> {
    let config = |message: String| Error::Config {
        file: file.to_path_buf(),
        message,
    };
    let host_path = url_host_path(remote_url);
    let host = host_path.as_ref().map(|(h, _)| h.as_str());
    let api = cfg
        .api_base
        .as_deref()
        .map(|a| Url::parse(a).map_err(|e| config(format!("api_base {a:?}: {e}"))))
        .transpose()?;
    let forge = match cfg.forge {
        ForgeSetting::None => return Ok(None),
        ForgeSetting::Github => Forge::Github,
        ForgeSetting::Gitea => Forge::Gitea,
        ForgeSetting::Forgejo => Forge::Forgejo,
        ForgeSetting::Auto => match (&api, host) {
            (Some(a), _) if a.path().trim_end_matches('/').ends_with("/api/v1") => Forge::Gitea,
            (Some(a), _)
                if a.host_str() == Some("api.github.com") || a.path().contains("/api/v3") =>
            {
                Forge::Github
            }
            (Some(a), _) => {
                return Err(config(format!(
                    "api_base {a} is set but forge = \"auto\" cannot tell which forge it is; set forge = \"github\", \
                     \"gitea\" or \"forgejo\""
                )));
            }
            (None, Some("github.com" | "www.github.com")) => Forge::Github,
            (None, _) => return Ok(None),
        },
    };
    let api_base = match (api, forge, host) {
        (Some(a), _, _) => a,
        (None, Forge::Github, _) => {
            Url::parse("https://api.github.com").map_err(|e| config(e.to_string()))?
        }
        (None, _, Some(h)) => {
            Url::parse(&format!("https://{h}/api/v1")).map_err(|e| config(e.to_string()))?
        }
        (None, _, None) => {
            return Err(config(format!(
                "forge = \"{}\" needs api_base: the remote's URL names no host",
                forge.as_str()
            )));
        }
    };
    let (owner, repo) = match &cfg.repository {
        Some(r) => split_repository(r).ok_or_else(|| config(format!("repository {r:?} must be owner/name")))?,
        None => host_path
            .as_ref()
            .and_then(|(_, p)| repository_from_path(p))
            .ok_or_else(|| {
                config(format!(
                    "the remote's URL does not say which repository it is on {}; set repository = \"owner/name\"",
                    forge.as_str()
                ))
            })?,
    };
    Ok(Some(Target {
        forge,
        api_base,
        owner,
        repo,
    }))
}

/// The token for `forge` from `lookup`, or [`Error::TokenMissing`].
pub(crate) fn token(
    forge: Forge,
    token_env: Option<&str>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Token> {
    let vars: Vec<&str> = match token_env {
        Some(v) => vec![v],
        None => forge.token_vars().to_vec(),
    };
    vars.iter()
        .filter_map(|v| lookup(v))
        .map(|t| t.trim().to_owned())
        .find(|t| !t.is_empty())
        .map(Token::new)
        .ok_or_else(|| Error::TokenMissing {
            forge: forge.as_str(),
            variables: vars.join(" or "),
        })
}

/// Whether a token for `target` may be sent to a git remote at `remote_url`: only over HTTP(S), and only to the
/// forge's own host (a GitHub token must not go to a mirror on another host).
pub(crate) fn token_goes_to_remote(target: Option<&Target>, remote_url: &str) -> bool {
    let Some((scheme, _)) = remote_url.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") {
        return false;
    }
    let Some((host, _)) = url_host_path(remote_url) else {
        return false;
    };
    match target {
        None => true,
        Some(t) => {
            let api_host = t
                .api_base
                .host_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            api_host == host || (api_host == "api.github.com" && host == "github.com")
        }
    }
}

/// An open pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pull {
    pub(crate) number: u64,
    pub(crate) html_url: String,
}

/// What creating a pull request gave.
pub(crate) enum Created {
    /// A new one.
    New(Pull),
    /// The forge says one already exists for this head and base (GitHub 422, Gitea/GitLab 409).
    Exists,
}

/// A forge API client for one publish: a current-thread runtime (publish is synchronous) and the token.
pub(crate) struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    target: Target,
    token: Token,
    secrets: Secrets,
}

/// The longest `Retry-After` publish waits out by itself (once); longer waits are the caller's.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(5);
/// Pages of pull requests read at most (a runaway `Link` chain must end).
const MAX_PAGES: usize = 100;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Client {
    pub(crate) fn new(target: Target, token: Token, secrets: Secrets) -> Result<Client> {
        let forge = target.forge.as_str();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Forge {
                forge,
                message: format!("cannot start the HTTP runtime: {e}"),
            })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("autodev/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::Forge {
                forge,
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Client {
            rt,
            http,
            target,
            token,
            secrets,
        })
    }

    fn forge(&self) -> &'static str {
        self.target.forge.as_str()
    }

    pub(crate) fn forge_kind(&self) -> Forge {
        self.target.forge
    }

    /// `{api_base}/repos/{owner}/{repo}` plus `more` path segments.
    fn repo_url(&self, more: &[&str]) -> Url {
        let mut url = self.target.api_base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty()
                .extend(["repos", &self.target.owner, &self.target.repo])
                .extend(more);
        }
        url
    }

    /// The repository's default branch (also proves the token can see the repository).
    pub(crate) fn default_branch(&self) -> Result<Option<String>> {
        let v = self.call_ok(Method::GET, self.repo_url(&[]), None)?.1;
        Ok(v["default_branch"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned))
    }

    /// The open pull request whose head is `branch` in this repository, following pagination.
    pub(crate) fn find_open(&self, branch: &str) -> Result<Option<Pull>> {
        let mut url = self.repo_url(&["pulls"]);
        match self.target.forge {
            Forge::Github => {
                let head = format!("{}:{branch}", self.target.owner);
                url.query_pairs_mut()
                    .append_pair("state", "open")
                    .append_pair("head", &head)
                    .append_pair("per_page", "100");
            }
            // Gitea ignores a head filter: list every open pull request and look ourselves.
            _ => {
                url.query_pairs_mut()
                    .append_pair("state", "open")
                    .append_pair("limit", "50")
                    .append_pair("page", "1");
            }
        }
        let mut seen = 0usize;
        for page in 1..=MAX_PAGES {
            let (headers, v) = self.call_ok(Method::GET, url.clone(), None)?;
            let items = v
                .as_array()
                .ok_or_else(|| self.bad_answer("the pull request list is not an array"))?;
            if let Some(p) = items.iter().find(|p| self.is_ours(p, branch)) {
                return Ok(Some(self.pull(p)?));
            }
            seen += items.len();
            match self.next_page(&headers, &url, page, seen, items.is_empty()) {
                Some(next) => url = next,
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Whether a listed pull request comes from `branch` of this very repository (not a fork's branch of the same
    /// name): GitHub names the head's repository, Gitea labels a same-repository head with the bare branch.
    fn is_ours(&self, p: &Value, branch: &str) -> bool {
        let head = &p["head"];
        if head["ref"].as_str() != Some(branch) {
            return false;
        }
        let full = format!("{}/{}", self.target.owner, self.target.repo);
        if let Some(f) = head["repo"]["full_name"].as_str() {
            return f.eq_ignore_ascii_case(&full);
        }
        match head["label"].as_str() {
            Some(l) => {
                l == branch || l.eq_ignore_ascii_case(&format!("{}:{branch}", self.target.owner))
            }
            None => true,
        }
    }

    /// The next page: the `Link: <…>; rel="next"` URL when it stays on the API's origin (the token goes with it),
    /// else for Gitea `page+1` while `X-Total-Count` says more exist.
    fn next_page(
        &self,
        headers: &HeaderMap,
        url: &Url,
        page: usize,
        seen: usize,
        empty: bool,
    ) -> Option<Url> {
        if empty {
            return None;
        }
        if let Some(next) = link_next(headers) {
            let next = Url::parse(&next).ok()?;
            return (next.origin() == self.target.api_base.origin()).then_some(next);
        }
        let total: usize = headers
            .get("x-total-count")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        if seen >= total || self.target.forge == Forge::Github {
            return None;
        }
        let mut next = url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        next.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("page", &(page + 1).to_string());
        Some(next)
    }

    /// Opens a pull request from `head` into `base`.
    pub(crate) fn create(
        &self,
        title: &str,
        body: &str,
        head: &str,
        base: &str,
        draft: bool,
    ) -> Result<Created> {
        let mut req = serde_json::json!({"title": title, "head": head, "base": base, "body": body});
        if self.target.forge.has_draft_field() {
            req["draft"] = Value::Bool(draft);
        }
        let a = self.call(Method::POST, self.repo_url(&["pulls"]), Some(&req))?;
        let exists = a.status == StatusCode::CONFLICT
            || (a.status == StatusCode::UNPROCESSABLE_ENTITY
                && a.body.to_ascii_lowercase().contains("already exist"));
        if exists {
            return Ok(Created::Exists);
        }
        if !a.status.is_success() {
            return Err(self.classify(&a));
        }
        let v: Value =
            serde_json::from_str(&a.body).map_err(|e| self.bad_answer(&format!("created: {e}")))?;
        Ok(Created::New(self.pull(&v)?))
    }

    fn pull(&self, v: &Value) -> Result<Pull> {
        let number = v["number"].as_u64().or_else(|| v["index"].as_u64());
        match (number, v["html_url"].as_str()) {
            (Some(number), Some(url)) => Ok(Pull {
                number,
                html_url: url.to_owned(),
            }),
            _ => Err(self.bad_answer("a pull request without number or html_url")),
        }
    }

    fn bad_answer(&self, what: &str) -> Error {
        Error::Forge {
            forge: self.forge(),
            message: format!("unexpected answer: {what}"),
        }
    }

    /// A call that must succeed (2xx): its headers and JSON body.
    fn call_ok(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<(HeaderMap, Value)> {
        let a = self.call(method, url, body)?;
        if !a.status.is_success() {
            return Err(self.classify(&a));
        }
        let v = serde_json::from_str(&a.body).map_err(|e| self.bad_answer(&e.to_string()))?;
        Ok((a.headers, v))
    }

    /// One request; a rate limit with a short `Retry-After` is waited out once, a longer one is an error.
    fn call(&self, method: Method, url: Url, body: Option<&Value>) -> Result<Answer> {
        let first = self.send(method.clone(), url.clone(), body)?;
        match rate_limit(&first) {
            None => Ok(first),
            Some(wait) if wait.is_some_and(|w| w <= MAX_INLINE_WAIT) => {
                std::thread::sleep(wait.unwrap_or_default());
                let second = self.send(method, url, body)?;
                match rate_limit(&second) {
                    None => Ok(second),
                    Some(_) => Err(self.limited(&second)),
                }
            }
            Some(_) => Err(self.limited(&first)),
        }
    }

    fn send(&self, method: Method, url: Url, body: Option<&Value>) -> Result<Answer> {
        let auth = match self.target.forge {
            Forge::Github => format!("Bearer {}", self.token.expose()),
            _ => format!("token {}", self.token.expose()),
        };
        let mut auth = HeaderValue::from_str(&auth).map_err(|_| Error::Forge {
            forge: self.forge(),
            message: "the token contains characters an HTTP header cannot carry".into(),
        })?;
        auth.set_sensitive(true);
        let mut req = self
            .http
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/json");
        if self.target.forge == Forge::Github {
            req = req
                .header(reqwest::header::ACCEPT, "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28");
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.rt.block_on(async {
            let resp = req.send().await.map_err(|e| self.transport(&e))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp.text().await.map_err(|e| self.transport(&e))?;
            Ok(Answer {
                status,
                headers,
                body,
            })
        })
    }

    fn transport(&self, e: &reqwest::Error) -> Error {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        Error::Forge {
            forge: self.forge(),
            message: self.secrets.scrub(&msg),
        }
    }

    fn limited(&self, a: &Answer) -> Error {
        Error::ForgeRateLimited {
            forge: self.forge(),
            retry_at: retry_at(&a.headers),
        }
    }

    /// A non-2xx answer as an error.
    fn classify(&self, a: &Answer) -> Error {
        let message = self.secrets.scrub(&forge_message(&a.body));
        match a.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::ForgeAuth {
                forge: self.forge(),
                status: a.status.as_u16(),
                message,
            },
            StatusCode::NOT_FOUND => Error::ForgeNotFound {
                forge: self.forge(),
                repository: format!("{}/{}", self.target.owner, self.target.repo),
                api_base: self.target.api_base.to_string(),
                message,
            },
            s => Error::Forge {
                forge: self.forge(),
                message: format!("HTTP {}: {message}", s.as_u16()),
            },
        }
    }
}

/// `Some(wait)` when the answer is a rate limit (429; 403 with `x-ratelimit-remaining: 0` or `Retry-After`), with
/// how long the forge asks to wait when it says.
fn rate_limit(a: &Answer) -> Option<Option<Duration>> {
    let remaining_zero =
        header(&a.headers, "x-ratelimit-remaining").is_some_and(|v| v.trim() == "0");
    let retry_after = header(&a.headers, "retry-after").is_some();
    let limited = a.status == StatusCode::TOO_MANY_REQUESTS
        || (a.status == StatusCode::FORBIDDEN && (remaining_zero || retry_after));
    if !limited {
        return None;
    }
    Some(retry_at(&a.headers).map(|t| (t - Utc::now()).to_std().unwrap_or_default()))
}

/// When the forge says to retry: `Retry-After` (seconds or an HTTP date), else `x-ratelimit-reset` (epoch seconds).
fn retry_at(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    if let Some(v) = header(headers, "retry-after") {
        let v = v.trim();
        if let Ok(secs) = v.parse::<i64>() {
            return Some(Utc::now() + chrono::Duration::seconds(secs.max(0)));
        }
        if let Ok(t) = DateTime::parse_from_rfc2822(v) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let reset: i64 = header(headers, "x-ratelimit-reset")?.trim().parse().ok()?;
    DateTime::from_timestamp(reset, 0)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// The `rel="next"` target of a `Link` header.
fn link_next(headers: &HeaderMap) -> Option<String> {
    let link = header(headers, "link")?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
        is_next.then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

/// The human part of a forge's error body: `message` (GitHub and Gitea both use it) and GitHub's `errors`.
fn forge_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return body.chars().take(300).collect::<String>().trim().to_owned();
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = v["message"].as_str() {
        parts.push(m.to_owned());
    }
    if let Some(errs) = v["errors"].as_array() {
        parts.extend(
            errs.iter()
                .filter_map(|e| e["message"].as_str().map(str::to_owned)),
        );
    }
    if parts.is_empty() {
        return body.chars().take(300).collect();
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake_servers::FakeForge;

    fn client(forge: &FakeForge, kind: Forge) -> Client {
        let target = Target {
            forge: kind,
            api_base: Url::parse(&forge.api_base()).unwrap(),
            owner: "me".into(),
            repo: "proj".into(),
        };
        Client::new(
            target,
            Token::new(fake_servers::FAKE_FORGE_TOKEN.into()),
            Secrets::default(),
        )
        .unwrap()
    }

    /// A pull request opened between our look and our create (another run): GitHub answers 422, Gitea 409 (422
    /// before 1.17); both mean "look it up again", and the lookup finds it.
    #[test]
    fn create_over_an_existing_pull_request_is_exists() {
        let cases = [
            (FakeForge::github(), Forge::Github, None),
            (FakeForge::gitea(), Forge::Gitea, Some(409)),
            (FakeForge::gitea(), Forge::Forgejo, Some(422)),
        ];
        for (forge, kind, conflict) in cases {
            forge.add_repo("me", "proj");
            if let Some(c) = conflict {
                forge.set_conflict_status(c);
            }
            let existing = forge.add_pull("me", "proj", "autodev/T1", "main", "Say two");
            let c = client(&forge, kind);
            assert!(matches!(
                c.create("Say two", "b", "autodev/T1", "main", true),
                Ok(Created::Exists)
            ));
            assert_eq!(
                c.find_open("autodev/T1").unwrap().map(|p| p.number),
                Some(existing.number)
            );
            assert_eq!(forge.pulls().len(), 1);
        }
    }

    #[test]
    fn other_validation_errors_are_not_exists() {
        let forge = FakeForge::github();
        forge.add_repo("me", "proj");
        let c = client(&forge, Forge::Github);
        forge.fail_next(1, 422, &[]);
        let err = c
            .create("t", "b", "autodev/T1", "main", true)
            .err()
            .unwrap();
        assert_eq!(err.code(), "FORGE_ERROR", "{err}");
    }

    #[test]
    fn remote_urls_name_host_and_repository() {
        for (url, host, repo) in [
            ("https://github.com/me/proj.git", "github.com", "me/proj"),
            ("https://tok@github.com/me/proj", "github.com", "me/proj"),
            ("git@github.com:me/proj.git", "github.com", "me/proj"),
            (
                "ssh://git@git.example.com:2222/team/app.git",
                "git.example.com",
                "team/app",
            ),
        ] {
            let (h, p) = url_host_path(url).unwrap();
            assert_eq!(h, host, "{url}");
            let (o, r) = repository_from_path(&p).unwrap();
            assert_eq!(format!("{o}/{r}"), repo, "{url}");
        }
        assert_eq!(url_host_path("file:///tmp/x.git"), None);
        assert_eq!(url_host_path("/srv/git/x.git"), None);
        assert_eq!(url_host_path("./rel/x"), None);
    }

    #[test]
    fn link_header_next() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(
                "<https://api.github.com/r?page=1>; rel=\"prev\", <https://api.github.com/r?page=3>; rel=\"next\"",
            ),
        );
        assert_eq!(
            link_next(&h).as_deref(),
            Some("https://api.github.com/r?page=3")
        );
    }

    #[test]
    fn auto_detects_github_and_push_only() {
        let cfg = DeliveryConfig::default();
        let f = std::path::Path::new("delivery.toml");
        let t = resolve(&cfg, "git@github.com:me/proj.git", f)
            .unwrap()
            .unwrap();
        assert_eq!(t.forge, Forge::Github);
        assert_eq!(t.api_base.as_str(), "https://api.github.com/");
        assert!(
            resolve(&cfg, "https://git.example.com/me/proj.git", f)
                .unwrap()
                .is_none()
        );
        let cfg = DeliveryConfig {
            forge: ForgeSetting::Gitea,
            ..DeliveryConfig::default()
        };
        let t = resolve(&cfg, "https://git.example.com/me/proj.git", f)
            .unwrap()
            .unwrap();
        assert_eq!(t.api_base.as_str(), "https://git.example.com/api/v1");
        assert!(token_goes_to_remote(
            Some(&t),
            "https://git.example.com/me/proj.git"
        ));
        assert!(!token_goes_to_remote(
            Some(&t),
            "https://elsewhere.example/me/proj.git"
        ));
        assert!(!token_goes_to_remote(
            Some(&t),
            "git@git.example.com:me/proj.git"
        ));
    }
}
