//! The bot's files under `<queue>/telegram/`: the getUpdates offset, the events.ndjson offset of
//! notifications, each chat's language (`lang.json`; all written atomically and durably), and the one-poller
//! lock.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use i18n::Lang;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// `<queue>/telegram/`.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Offset {
    offset: i64,
}

/// `lang.json`: `{"chats": {"<chat id>": "ko"}}`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Langs {
    chats: BTreeMap<String, String>,
}

impl StateDir {
    /// Creates `<queue>/telegram/` if needed.
    pub fn open(queue_root: &Path) -> Result<StateDir> {
        let dir = queue_root.join("telegram");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(StateDir { dir })
    }

    /// For a queue with no folder (a database at `location`): `$XDG_STATE_HOME/autodev/telegram/<name>` (else
    /// `~/.local/state/…`), `<name>` derived from the database's address without its password, so two queues'
    /// bots on one machine keep apart.
    pub fn open_local(location: &str) -> Result<StateDir> {
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".local/state"))
            })
            .unwrap_or_else(std::env::temp_dir);
        let name: String = location
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = base.join("autodev/telegram").join(name);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(StateDir { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn read(&self, name: &str) -> Result<Option<i64>> {
        let p = self.dir.join(name);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice::<Offset>(&b)
                .map(|o| Some(o.offset))
                .map_err(|e| Error::State(format!("{} does not decode: {e}", p.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&p, e)),
        }
    }

    fn write(&self, name: &str, offset: i64) -> Result<()> {
        let bytes =
            serde_json::to_vec(&Offset { offset }).map_err(|e| Error::State(e.to_string()))?;
        self.write_bytes(name, &bytes)
    }

    /// Replaces `name` with `bytes`: written to a temporary file, fsynced, renamed over it, the folder fsynced.
    fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let p = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        queue_core::fsutil::write_replace_durable(&tmp, &p, bytes).map_err(|e| Error::io(&p, e))
    }

    /// Each chat's language as `/lang` set it (empty before the first). An entry autodev cannot read (a chat id
    /// that is not a number, a language it does not speak) is left out, not an error.
    pub fn chat_langs(&self) -> Result<BTreeMap<i64, Lang>> {
        let p = self.dir.join("lang.json");
        let langs: Langs = match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| Error::State(format!("{} does not decode: {e}", p.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Langs::default(),
            Err(e) => return Err(Error::io(&p, e)),
        };
        Ok(langs
            .chats
            .iter()
            .filter_map(|(chat, lang)| Some((chat.parse().ok()?, Lang::parse(lang)?)))
            .collect())
    }

    /// Saves every chat's language durably (the whole map: one poller writes it).
    pub fn set_chat_langs(&self, langs: &BTreeMap<i64, Lang>) -> Result<()> {
        let file = Langs {
            chats: langs
                .iter()
                .map(|(chat, lang)| (chat.to_string(), lang.code().to_owned()))
                .collect(),
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| Error::State(e.to_string()))?;
        self.write_bytes("lang.json", &bytes)
    }

    /// The next getUpdates offset (0 when none was saved).
    pub fn update_offset(&self) -> Result<i64> {
        Ok(self.read("offset.json")?.unwrap_or(0))
    }

    /// Saves the next getUpdates offset durably.
    pub fn set_update_offset(&self, offset: i64) -> Result<()> {
        self.write("offset.json", offset)
    }

    /// Where notifications continue in events.ndjson; `None` on the first start.
    pub fn events_offset(&self) -> Result<Option<u64>> {
        Ok(self
            .read("events.offset.json")?
            .map(|o| u64::try_from(o).unwrap_or(0)))
    }

    /// Saves the events.ndjson offset durably.
    pub fn set_events_offset(&self, offset: u64) -> Result<()> {
        self.write(
            "events.offset.json",
            i64::try_from(offset).unwrap_or(i64::MAX),
        )
    }

    /// Takes `poller.lock` exclusively (flock; the kernel drops it when the process dies), or fails with
    /// [`Error::AlreadyRunning`] naming the holder's pid.
    pub fn lock_poller(&self) -> Result<PollerLock> {
        let p = self.dir.join("poller.lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&p)
            .map_err(|e| Error::io(&p, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(Error::AlreadyRunning {
                    lock: p,
                    pid: holder.trim().to_owned(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&p, e)),
        }
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = writeln!(file, "{}", std::process::id());
        Ok(PollerLock { _file: file })
    }
}

/// Held while the bot runs.
#[derive(Debug)]
pub struct PollerLock {
    _file: File,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_persist_and_the_lock_is_exclusive() {
        let d = tempfile::tempdir().unwrap();
        let s = StateDir::open(d.path()).unwrap();
        assert_eq!(s.update_offset().unwrap(), 0);
        assert_eq!(s.events_offset().unwrap(), None);
        s.set_update_offset(42).unwrap();
        s.set_events_offset(7).unwrap();
        let s2 = StateDir::open(d.path()).unwrap();
        assert_eq!(s2.update_offset().unwrap(), 42);
        assert_eq!(s2.events_offset().unwrap(), Some(7));
        let held = s.lock_poller().unwrap();
        let err = s2.lock_poller().unwrap_err();
        assert!(
            matches!(&err, Error::AlreadyRunning { pid, .. } if *pid == std::process::id().to_string()),
            "{err}"
        );
        drop(held);
        s2.lock_poller().unwrap();
    }

    #[test]
    fn chat_languages_persist_and_unreadable_entries_are_skipped() {
        let d = tempfile::tempdir().unwrap();
        let s = StateDir::open(d.path()).unwrap();
        assert!(s.chat_langs().unwrap().is_empty());
        let langs = BTreeMap::from([(111, Lang::Ko), (-100_555, Lang::En)]);
        s.set_chat_langs(&langs).unwrap();
        assert_eq!(
            StateDir::open(d.path()).unwrap().chat_langs().unwrap(),
            langs
        );
        std::fs::write(
            s.path().join("lang.json"),
            r#"{"chats": {"111": "ko", "x": "ko", "7": "fr"}}"#,
        )
        .unwrap();
        assert_eq!(s.chat_langs().unwrap(), BTreeMap::from([(111, Lang::Ko)]));
        std::fs::write(s.path().join("lang.json"), "{").unwrap();
        assert!(
            s.chat_langs().is_err(),
            "a damaged file is reported, not guessed"
        );
    }
}
