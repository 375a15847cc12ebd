//! Two gates on one repository at once get different slots and both finish.

use std::sync::{Arc, Barrier};

use gate::{Gate, GateConfig, GateRequest};

use crate::common::{make_dirty, repo_with, user_state};

#[test]
fn concurrent_gates_use_different_slots() {
    let repo = repo_with(&[("a.txt", "a\n"), ("b.txt", "b\n")]);
    make_dirty(&repo);
    let before = user_state(&repo.path);
    let gate = Arc::new(Gate::new(GateConfig::default()));
    let barrier = Arc::new(Barrier::new(2));
    let patches = [
        b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n".to_vec(),
        b"--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-b\n+B\n".to_vec(),
    ];
    let handles: Vec<_> = patches
        .into_iter()
        .map(|patch| {
            let (gate, barrier, path) = (gate.clone(), barrier.clone(), repo.path.clone());
            std::thread::spawn(move || {
                let mut req = GateRequest::new(path, "HEAD", patch);
                // Long enough that the two runs overlap; each sees only its own change.
                req.checks = Some(vec!["sleep 1; test \"$(cat a.txt)$(cat b.txt)\" = Ab -o \"$(cat a.txt)$(cat b.txt)\" = aB".into()]);
                barrier.wait();
                gate.check(&req).unwrap()
            })
        })
        .collect();
    let reports: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for r in &reports {
        assert!(r.passed(), "{:?} {:?}", r.reasons, r.checks);
    }
    assert_ne!(reports[0].slot, reports[1].slot);
    assert_eq!(user_state(&repo.path), before);
}

#[test]
fn busy_slots_time_out_as_an_error() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let work = tempfile::tempdir().unwrap();
    let config = GateConfig {
        work_root: Some(work.path().to_owned()),
        slots: 1,
        slot_wait: std::time::Duration::from_millis(300),
        ..GateConfig::default()
    };
    let gate = Arc::new(Gate::new(config));
    let slow = {
        let (gate, path) = (gate.clone(), repo.path.clone());
        std::thread::spawn(move || {
            let mut req = GateRequest::new(
                path,
                "HEAD",
                b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n".to_vec(),
            );
            req.checks = Some(vec!["sleep 2".into()]);
            gate.check(&req).unwrap()
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(700));
    let req = GateRequest::new(
        &repo.path,
        "HEAD",
        b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+B\n".to_vec(),
    );
    let err = gate.check(&req).unwrap_err();
    assert_eq!(err.kind(), "SLOTS_BUSY");
    assert!(slow.join().unwrap().passed());
    assert!(
        work.path().join("checkouts/slot-0").is_dir(),
        "work_root is honoured"
    );
}
