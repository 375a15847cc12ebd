//! Fuzzes `submit::parse_task_file` (size cap, BOM, UTF-8, JSON depth, shape): it may refuse any input with a
//! `Rejection`, but never panic, hang or overflow the stack. An accepted spec must serialize back to JSON that
//! parses to the same spec.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = submit::parse_task_file(data) {
        let again = serde_json::to_vec(&spec).expect("an accepted spec serializes");
        let back = submit::parse_task_file(&again).expect("a serialized spec parses again");
        assert_eq!(
            serde_json::to_value(&spec).ok(),
            serde_json::to_value(&back).ok()
        );
    }
});
