//! Choosing among candidate patches that all passed the gate, by what they do.
//!
//! A passing check proves less than it seems: the examples a request shows are exactly the inputs a wrong answer
//! was written to satisfy. When the repository declares `[[probe]]` commands in `gate.toml` (commands whose output
//! describes behaviour, such as a function's results on inputs next to the examples), the worker samples a few
//! more answers and keeps the behaviour most passing candidates share (minimum Bayes risk over execution, as in
//! MBR-exec and AlphaCode's clustering): wrong answers tend to be wrong in different ways, right ones agree.

use gate::{CheckResult, CheckStatus};

/// What a candidate's probes showed, one observation per output line (a probe prints one result per line),
/// each probe ending with how it exited. Timing is not part of it.
pub fn behaviour(probes: &[CheckResult]) -> Vec<String> {
    let mut out = Vec::new();
    for p in probes {
        out.extend(p.output_tail.lines().map(|l| format!("{}\t{l}", p.name)));
        let ended = match p.status {
            CheckStatus::Passed => "0".to_owned(),
            CheckStatus::Failed => p
                .exit_code
                .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
            CheckStatus::TimedOut => "timeout".to_owned(),
            CheckStatus::Skipped => "skipped".to_owned(),
        };
        out.push(format!("{}\tended {ended}", p.name));
    }
    out
}

/// The passing candidates seen so far, with their behaviour.
#[derive(Debug, Default)]
pub struct Tally {
    seen: Vec<(usize, Vec<String>)>,
}

impl Tally {
    /// Counts candidate `index`, which behaved as `behaviour`.
    pub fn add(&mut self, index: usize, behaviour: Vec<String>) {
        self.seen.push((index, behaviour));
    }

    /// How many observations candidates `a` and `b` share (the same line at the same place).
    fn shared(a: &[String], b: &[String]) -> usize {
        a.iter().zip(b).filter(|(x, y)| x == y).count()
    }

    /// Each candidate's agreement with all the others: the observations it shares with each, summed.
    fn scores(&self) -> Vec<usize> {
        self.seen
            .iter()
            .enumerate()
            .map(|(i, (_, a))| {
                self.seen
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, (_, b))| Self::shared(a, b))
                    .sum()
            })
            .collect()
    }

    /// The chosen candidate: the one that agrees most with the others, observation by observation (so an input
    /// on which even right answers differ, such as one outside the function's domain, decides nothing); the
    /// earliest among equals, so the first answer stands unless outvoted. With how many candidates behave exactly
    /// like it, itself included. `None` before any candidate.
    pub fn leader(&self) -> Option<(usize, usize)> {
        let scores = self.scores();
        let mut best: Option<usize> = None;
        for (i, s) in scores.iter().enumerate() {
            if best.is_none_or(|b| *s > scores[b]) {
                best = Some(i);
            }
        }
        best.map(|i| {
            let alike = self
                .seen
                .iter()
                .filter(|(_, b)| *b == self.seen[i].1)
                .count();
            (self.seen[i].0, alike)
        })
    }

    /// Whether `remaining` more candidates could still change the choice. Settled once every candidate so far
    /// behaves alike and they are at least as many as those still to come: a newcomer sharing `a` of `L`
    /// observations with them scores `m·a + (r−1)·L` at best, against `(m−1)·L + r·a` for each of the `m`, which
    /// is never less when `m ≥ r` (ties keep the earlier).
    pub fn open(&self, remaining: usize) -> bool {
        let Some((_, first)) = self.seen.first() else {
            return remaining > 0;
        };
        let all_alike = self.seen.iter().all(|(_, b)| b == first);
        remaining > 0 && !(all_alike && self.seen.len() >= remaining)
    }

    /// How many different behaviours and how many candidates were seen: for the report's line.
    pub fn sizes(&self) -> (usize, usize) {
        let mut distinct: Vec<&Vec<String>> = Vec::new();
        for (_, b) in &self.seen {
            if !distinct.contains(&b) {
                distinct.push(b);
            }
        }
        (distinct.len(), self.seen.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(out: &str, status: CheckStatus) -> CheckResult {
        CheckResult {
            name: "behaviour".into(),
            command: "python3 probe.py".into(),
            status,
            exit_code: match status {
                CheckStatus::Passed => Some(0),
                CheckStatus::Failed => Some(1),
                _ => None,
            },
            duration_ms: 12,
            timeout_secs: 60,
            output_tail: out.into(),
            log_path: None,
        }
    }

    fn obs(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn behaviour_is_each_output_line_and_how_the_probe_ended_not_its_timing() {
        let a = behaviour(&[probe("f(1) -> 2\nf(2) -> 4\n", CheckStatus::Passed)]);
        assert_eq!(
            a,
            [
                "behaviour\tf(1) -> 2",
                "behaviour\tf(2) -> 4",
                "behaviour\tended 0"
            ]
        );
        let mut slow = probe("f(1) -> 2\nf(2) -> 4\n", CheckStatus::Passed);
        slow.duration_ms = 900;
        assert_eq!(a, behaviour(&[slow]));
        assert_ne!(
            a,
            behaviour(&[probe("f(1) -> 2\nf(2) -> 4\n", CheckStatus::Failed)])
        );
        assert_ne!(
            a,
            behaviour(&[probe("f(1) -> 2\nf(2) -> 4\n", CheckStatus::TimedOut)])
        );
    }

    #[test]
    fn the_behaviour_most_candidates_share_wins_and_a_tie_keeps_the_first_answer() {
        let mut t = Tally::default();
        assert_eq!(t.leader(), None);
        t.add(0, obs(&["f(3) -> 1", "f(4) -> 2"]));
        t.add(1, obs(&["f(3) -> 2", "f(4) -> 2"]));
        assert_eq!(t.leader(), Some((0, 1)), "a tie keeps the first answer");
        t.add(2, obs(&["f(3) -> 2", "f(4) -> 2"]));
        assert_eq!(
            t.leader(),
            Some((1, 2)),
            "two agreeing answers outvote the first"
        );
        assert_eq!(t.sizes(), (2, 3));
    }

    #[test]
    fn an_input_on_which_every_candidate_differs_decides_nothing() {
        // f(-1) is outside the domain: each candidate fails its own way there, right or wrong elsewhere.
        let mut t = Tally::default();
        t.add(
            0,
            obs(&["f(-1) -> raised ValueError", "f(3) -> 1", "f(4) -> 2"]),
        );
        t.add(
            1,
            obs(&["f(-1) -> raised IndexError", "f(3) -> 2", "f(4) -> 2"]),
        );
        t.add(2, obs(&["f(-1) -> 0", "f(3) -> 2", "f(4) -> 2"]));
        assert_eq!(t.leader(), Some((1, 1)), "1 and 2 agree where it matters");
    }

    #[test]
    fn sampling_stops_once_no_remaining_candidate_can_change_the_choice() {
        let mut t = Tally::default();
        assert!(t.open(1));
        assert!(!t.open(0));
        t.add(0, obs(&["a"]));
        assert!(
            !t.open(1),
            "one more can only tie, and a tie keeps the first answer"
        );
        assert!(t.open(2));
        t.add(1, obs(&["a"]));
        assert!(!t.open(2), "two alike against at most two newcomers");
        assert!(t.open(3));
        t.add(2, obs(&["b"]));
        assert!(
            t.open(1),
            "once they differ, every remaining answer is asked"
        );
        assert!(!t.open(0));
    }
}
