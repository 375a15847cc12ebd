//! Task identifiers: `T{YYYYMMDD}-{NNNN}` (UTC date, per-day sequence from 1).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A task id such as `T20261125-0001`.
///
/// The sequence is zero-padded to four digits and grows wider past 9999 (`T20261125-10000`), so ids
/// are ordered by [`Ord`] (date, then sequence), never by comparing strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId {
    date: NaiveDate,
    seq: u32,
}

impl TaskId {
    /// Builds an id from its parts; `seq` starts at 1.
    pub fn new(date: NaiveDate, seq: u32) -> Self {
        Self { date, seq }
    }

    /// The UTC day the task was submitted.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The per-day sequence number (1-based).
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// `YYYYMMDD`, the name of the per-day id reservation folder.
    pub fn day_key(date: NaiveDate) -> String {
        date.format("%Y%m%d").to_string()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}-{:04}", self.date.format("%Y%m%d"), self.seq)
    }
}

/// Why a string is not a [`TaskId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid task id {input:?}: expected T<YYYYMMDD>-<NNNN>, e.g. T20261125-0001")]
pub struct ParseTaskIdError {
    input: String,
}

impl FromStr for TaskId {
    type Err = ParseTaskIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseTaskIdError {
            input: s.chars().take(64).collect(),
        };
        let rest = s.strip_prefix('T').ok_or_else(err)?;
        let (date, seq) = rest.split_once('-').ok_or_else(err)?;
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        if seq.len() < 4 || seq.len() > 9 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let date = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| err())?;
        let seq: u32 = seq.parse().map_err(|_| err())?;
        if seq == 0 {
            return Err(err());
        }
        let id = TaskId { date, seq };
        // Reject non-canonical spellings (extra leading zeros) so one task has one name.
        if id.to_string() != s {
            return Err(err());
        }
        Ok(id)
    }
}

impl Ord for TaskId {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.date, self.seq).cmp(&(other.date, other.seq))
    }
}

impl PartialOrd for TaskId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for TaskId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^T[0-9]{8}-[0-9]{4,9}$",
            "description": "Task id: T<YYYYMMDD>-<NNNN> (UTC date, per-day sequence)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders_numerically() {
        let a: TaskId = "T20261125-9999".parse().unwrap();
        let b: TaskId = "T20261125-10000".parse().unwrap();
        assert_eq!(a.to_string(), "T20261125-9999");
        assert_eq!(b.to_string(), "T20261125-10000");
        assert!(a < b, "sequence must compare as a number, not as text");
        let c: TaskId = "T20261126-0001".parse().unwrap();
        assert!(b < c);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "T",
            "20261125-0001",
            "T2026112-0001",
            "T20261125-001",
            "T20261125-0000",
            "T20261325-0001",
            "T20261125-00001",
            "T20261125_0001",
            "T20261125-0001/../x",
            "T20261125-١٢٣٤",
        ] {
            assert!(bad.parse::<TaskId>().is_err(), "{bad:?} should not parse");
        }
    }
}
