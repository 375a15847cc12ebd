//! The catalogue against the code that uses it: every `t!`/`msg!` call in the workspace's sources names a key
//! that exists in English and Korean and supplies every variable either language uses; both languages have the
//! same keys and no unused ones; the Fluent files parse; Korean never glues a particle to an inserted value by
//! hand.

// A failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;

use std::collections::BTreeSet;

use i18n::Lang;

use calls::workspace_calls;

#[test]
fn the_fluent_files_parse_and_define_each_key_once() {
    for lang in Lang::ALL {
        let errors = i18n::catalogue_errors(lang);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let errors = i18n::help_errors();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        i18n::help(Lang::Ko, "help-submit-about").is_some(),
        "the --help catalogue is not read"
    );
    assert_eq!(i18n::help(Lang::En, "help-submit-about"), None);
}

#[test]
fn both_languages_have_the_same_keys() {
    let en: BTreeSet<_> = i18n::keys(Lang::En).into_iter().collect();
    let ko: BTreeSet<_> = i18n::keys(Lang::Ko).into_iter().collect();
    assert!(
        en.len() > 150,
        "the catalogue is unexpectedly small: {}",
        en.len()
    );
    let only_en: Vec<_> = en.difference(&ko).collect();
    let only_ko: Vec<_> = ko.difference(&en).collect();
    assert!(
        only_en.is_empty() && only_ko.is_empty(),
        "only in en: {only_en:?}\nonly in ko: {only_ko:?}"
    );
}

#[test]
fn every_call_names_a_key_and_supplies_its_variables() {
    let calls = workspace_calls();
    assert!(
        calls.len() > 150,
        "found only {} calls: is the scanner broken?",
        calls.len()
    );
    let mut problems = Vec::new();
    for c in &calls {
        let Some(key) = &c.key else {
            problems.push(format!("{}: the key is not a string literal", c.at));
            continue;
        };
        let supplied: BTreeSet<&str> = c.args.iter().map(String::as_str).collect();
        let mut used = BTreeSet::new();
        for lang in Lang::ALL {
            let Some(vars) = i18n::variables(lang, key) else {
                problems.push(format!("{}: {key} is missing in {lang}", c.at));
                continue;
            };
            for v in vars {
                if !supplied.contains(v.as_str()) {
                    problems.push(format!("{}: {key} ({lang}) uses ${v}, not supplied", c.at));
                }
                used.insert(v);
            }
        }
        for s in &supplied {
            if !used.contains(*s) {
                problems.push(format!(
                    "{}: {key} is given `{s}`, which no language uses",
                    c.at
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_key_is_used_by_the_code() {
    let used: BTreeSet<String> = workspace_calls()
        .into_iter()
        .filter_map(|c| c.key)
        .collect();
    let unused: Vec<String> = i18n::keys(Lang::En)
        .into_iter()
        .filter(|k| !used.contains(k))
        .collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
}

#[test]
fn korean_particles_after_values_come_from_josa() {
    const PARTICLES: [&str; 10] = [
        "을", "를", "은", "는", "과", "와", "으로", "로 ", "이 ", "가 ",
    ];
    let mut problems = Vec::new();
    for (file, src) in i18n::sources::KO {
        for (n, line) in src.lines().enumerate() {
            for p in PARTICLES {
                if line.contains(&format!("}}{p}")) {
                    problems.push(format!(
                        "ko/{file}:{}: `}}{p}` — use JOSA or PARTICLE: {line}",
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_isolation_marks_and_josa_works_through_fluent() {
    let out = i18n::t!(Lang::Ko, "example-greeting", name = "모델");
    assert_eq!(out, "모델을 찾았습니다.");
    assert!(!out.contains('\u{2068}') && !out.contains('\u{2069}'));
    let out = i18n::t!(Lang::En, "example-greeting", name = "git");
    assert_eq!(out, "Found git.");
}

#[test]
fn the_language_comes_from_autodev_lang_then_the_locale() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(Lang::resolve(env(&[])), Lang::En);
    assert_eq!(Lang::resolve(env(&[("LANG", "ko_KR.UTF-8")])), Lang::Ko);
    assert_eq!(Lang::resolve(env(&[("LANG", "C.UTF-8")])), Lang::En);
    assert_eq!(
        Lang::resolve(env(&[("LANG", "ko_KR.UTF-8"), ("AUTODEV_LANG", "en")])),
        Lang::En
    );
    assert_eq!(
        Lang::resolve(env(&[("LANG", "en_US.UTF-8"), ("AUTODEV_LANG", "ko")])),
        Lang::Ko
    );
    assert_eq!(
        Lang::resolve(env(&[("LC_ALL", "C"), ("LANG", "ko_KR.UTF-8")])),
        Lang::En,
        "LC_ALL overrides LANG, as in the C library"
    );
    assert_eq!(
        Lang::resolve(env(&[
            ("LC_ALL", ""),
            ("LC_MESSAGES", "ko_KR.UTF-8"),
            ("LANG", "en_US")
        ])),
        Lang::Ko,
        "an empty LC_ALL does not count"
    );
    assert_eq!(
        Lang::resolve(env(&[("AUTODEV_LANG", "fr"), ("LANG", "ko_KR.UTF-8")])),
        Lang::Ko,
        "an AUTODEV_LANG autodev does not speak leaves the choice to the locale"
    );
    assert_eq!("KO".parse::<Lang>(), Ok(Lang::Ko));
    assert!("de".parse::<Lang>().is_err());
}

#[test]
fn os_errors_keep_the_os_words_in_english_and_their_number_in_korean() {
    let denied = std::io::Error::from_raw_os_error(13);
    assert_eq!(i18n::io_error(&denied, Lang::En), denied.to_string());
    assert_eq!(
        i18n::io_error(&denied, Lang::Ko),
        "권한이 없습니다(os error 13)"
    );
    let gone = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
    assert_eq!(
        i18n::io_error(&gone, Lang::Ko),
        "파일이나 디렉터리가 없습니다"
    );
    let other = std::io::Error::other("something odd");
    assert_eq!(i18n::io_error(&other, Lang::Ko), "something odd");
}
