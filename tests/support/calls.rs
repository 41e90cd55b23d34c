//! The model's side of a session: scripted tool calls for the mock to stream, and what hone sent
//! back in a recorded request.

use serde_json::{Value, json};

use super::mock::*;

/// A streamed assistant message asking for the given tool calls (id, name, JSON arguments),
/// with the arguments split across chunks as real servers send them.
pub fn calls(list: &[(&str, &str, Value)]) -> Reply {
    let mut frames = vec![ev_role()];
    for (i, (id, name, args)) in list.iter().enumerate() {
        let args = args.to_string();
        let cut = args.len() / 2;
        frames.push(ev_tool_start(i as u32, id, name));
        frames.push(ev_tool_args(i as u32, &args[..cut]));
        frames.push(ev_tool_args(i as u32, &args[cut..]));
    }
    frames.extend([
        ev_finish("tool_calls"),
        ev_usage(100, 10, 80, 20, 0),
        ev_done(),
    ]);
    Reply::sse(frames)
}

/// A streamed assistant message asking for one tool call.
pub fn call(id: &str, name: &str, args: Value) -> Reply {
    calls(&[(id, name, args)])
}

/// An `edit_file` call replacing `old` by `new` in `path`.
pub fn edit(id: &str, path: &str, old: &str, new: &str) -> Reply {
    call(
        id,
        "edit_file",
        json!({"path": path, "old_string": old, "new_string": new}),
    )
}

/// The tool message answering `id` in a recorded request.
pub fn tool_result(req: &Value, id: &str) -> String {
    req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool" && m["tool_call_id"] == id)
        .and_then(|m| m["content"].as_str())
        .unwrap_or_else(|| panic!("no tool result for {id} in {req:#}"))
        .to_string()
}

/// The user messages of a request, in order.
pub fn user_messages(req: &Value) -> Vec<String> {
    req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect()
}
