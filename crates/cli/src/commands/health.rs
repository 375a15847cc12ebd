//! `autodev health`: a dependency-free HTTP probe for container healthchecks.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use queue_core::exit_codes;

use i18n::{Lang, t};

use crate::cli::HealthArgs;

pub(super) fn run(args: &HealthArgs, lang: Lang) -> anyhow::Result<u8> {
    let timeout = Duration::from_secs(args.timeout_secs);
    match probe(&args.url, timeout, lang) {
        Ok(status) if (200..300).contains(&status) => Ok(exit_codes::OK),
        Ok(status) => {
            let said = t!(lang, "cli-health-status", url = &args.url, status = status);
            eprintln!("{said}");
            Ok(exit_codes::REJECTED)
        }
        Err(e) => {
            let error = crate::errors::describe(&e, lang);
            let said = t!(lang, "cli-health-error", url = &args.url, error = &error);
            eprintln!("{said}");
            Ok(exit_codes::REJECTED)
        }
    }
}

/// GETs `url` (`http://host[:port][/path]`) and returns the status code.
fn probe(url: &str, timeout: Duration, lang: Lang) -> anyhow::Result<u16> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow::anyhow!(t!(lang, "cli-health-only-http")))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if hostport
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        hostport.to_string()
    } else {
        format!("{hostport}:80")
    };
    let addr = with_port
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow::anyhow!(t!(lang, "cli-health-unresolved", host = hostport)))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: autodev-health\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| {
            let first = format!("{:?}", line.lines().next());
            anyhow::anyhow!(t!(lang, "cli-health-not-http", line = &first))
        })?;
    Ok(status)
}
