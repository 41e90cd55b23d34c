//! Unit tests of the tool registry: the schemas of `prompts/tools.json` against the arguments each
//! tool parses, typed calls and outcomes, how calls are described, and parsing that never panics.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn parse(name: &str, args: &str) -> Result<Call, Reply> {
    Registry::builtin().parse(name, args).map(|(_, c)| c)
}

#[test]
fn the_registry_sends_prompts_tools_json_exactly() {
    let file: Vec<Value> = serde_json::from_str(crate::prompts::TOOLS_JSON).unwrap();
    assert_eq!(Registry::builtin().schemas(None), file);
    let names: Vec<&str> = file
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(Registry::builtin().names(), names);
}

/// A value of the JSON type a schema property declares (strings differ by property, so an edit's
/// old and new text are not the same).
fn sample(key: &str, prop: &Value) -> Value {
    match prop["type"].as_str() {
        Some("integer") => json!(prop["minimum"].as_u64().unwrap_or(1)),
        Some("boolean") => json!(true),
        Some("string") => json!(format!("{key}-value")),
        other => panic!("no sample for {other:?}"),
    }
}

/// A value of another JSON type than the property declares.
fn wrong(prop: &Value) -> Value {
    match prop["type"].as_str() {
        Some("string") => json!(7),
        _ => json!("seven"),
    }
}

#[test]
fn every_schema_matches_the_arguments_its_tool_parses() {
    let reg = Registry::builtin();
    for tool in reg.iter() {
        let params = &tool.schema()["function"]["parameters"];
        let props = params["properties"].as_object().unwrap();
        let required: Vec<&str> = params["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let name = tool.name();
        // Every declared property, of its declared type, is accepted.
        let mut full = serde_json::Map::new();
        for (k, p) in props {
            full.insert(k.clone(), sample(k, p));
        }
        // apply_patch's text must be a patch; a bare "x" is not one.
        if name == APPLY_PATCH {
            full.insert(
                "patch".into(),
                json!("*** Begin Patch\n*** Add File: a\n+x\n*** End Patch"),
            );
        }
        let full = Value::Object(full);
        assert!(tool.parse(&full).is_ok(), "{name}: {full} is refused");
        // Each required property is needed; each optional one is not.
        for k in props.keys() {
            let mut less = full.clone();
            less.as_object_mut().unwrap().remove(k);
            let ok = tool.parse(&less).is_ok();
            assert_eq!(
                ok,
                !required.contains(&k.as_str()),
                "{name}: without `{k}` the call is {}",
                if ok { "accepted" } else { "refused" }
            );
        }
        // A property of the wrong type is refused.
        for (k, p) in props {
            let mut bad = full.clone();
            bad[k] = wrong(p);
            assert!(tool.parse(&bad).is_err(), "{name}: `{k}` of the wrong type");
        }
    }
}

#[test]
fn parses_read_with_and_without_paging() {
    assert_eq!(
        parse("read_file", r#"{"path":"a.rs"}"#).unwrap(),
        Call::ReadFile {
            path: "a.rs".into(),
            offset: None,
            limit: None
        }
    );
    assert_eq!(
        parse("read_file", r#"{"path":"a.rs","offset":5,"limit":10}"#).unwrap(),
        Call::ReadFile {
            path: "a.rs".into(),
            offset: Some(5),
            limit: Some(10)
        }
    );
}

#[test]
fn empty_arguments_are_an_empty_object() {
    assert_eq!(
        parse("list_files", "").unwrap(),
        Call::ListFiles {
            path: None,
            pattern: None
        }
    );
}

#[test]
fn bad_calls_are_invalid_and_say_what_to_fix() {
    let e = parse("read_file", "{\"path\": ").unwrap_err();
    assert_eq!(e.outcome, Outcome::Invalid);
    assert!(
        e.text.contains("`read_file`") && e.text.contains("invalid JSON"),
        "{e:?}"
    );
    let e = parse("read_file", r#"{"file":"a"}"#).unwrap_err().text;
    assert!(e.contains("unknown field `file`"), "{e}");
    let e = parse("frobnicate", "{}").unwrap_err().text;
    assert!(
        e.contains("no tool named `frobnicate`") && e.contains("read_file"),
        "{e}"
    );
    let e = parse("run_command", r#"{"command":"  "}"#)
        .unwrap_err()
        .text;
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn edit_calls_become_operations() {
    let c = parse(
        "edit_file",
        r#"{"path":"a","old_string":"x","new_string":"y"}"#,
    )
    .unwrap();
    assert!(
        matches!(c, Call::Edit { ref ops } if ops.len() == 1),
        "{c:?}"
    );
}

#[test]
fn calls_are_described_in_one_line_by_their_tool() {
    let reg = Registry::builtin();
    let describe = |name: &str, args: &str| {
        let (tool, call) = reg.parse(name, args).unwrap();
        tool.describe(&call)
    };
    assert_eq!(
        describe("read_file", r#"{"path":"src/a.rs"}"#),
        "read_file src/a.rs"
    );
    assert_eq!(
        describe("search", r#"{"pattern":"fn main","glob":"*.rs"}"#),
        "search /fn main/ *.rs"
    );
    assert_eq!(describe("list_files", "{}"), "list_files");
    assert_eq!(
        describe(
            "edit_file",
            r#"{"path":"a.py","old_string":"x","new_string":"y"}"#
        ),
        "edit_file a.py"
    );
}

#[test]
fn lint_fix_offers_no_command_tool() {
    let reg = Registry::builtin();
    let sent = reg.schemas(Some(Effect::Command));
    assert!(sent.iter().all(|s| s["function"]["name"] != RUN_COMMAND));
    assert_eq!(sent.len(), reg.names().len() - 1);
}

proptest! {
    #[test]
    fn parse_never_panics(name in "[a-z_]{0,12}", args in ".{0,200}") {
        let _ = parse(&name, &args);
    }

    #[test]
    fn parse_never_panics_on_known_tools(i in 0usize..7, args in ".{0,200}") {
        let reg = Registry::builtin();
        let name = reg.names()[i].to_string();
        let _ = reg.parse(&name, &args);
    }
}
