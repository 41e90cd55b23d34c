//! Reading a person's answer from the terminal on stdin: discarding what was typed before the
//! question appeared, one key without Enter, and one line of text.
//!
//! Why it exists: keys typed while the model was thinking sit in the terminal's input queue, and
//! a line-reading question would take the first `y` among them as the answer to an edit nobody
//! has seen. So every question first discards pending input (`tcflush(TCIFLUSH)`), then reads
//! with Ctrl-C as a key (`ISIG` off): Ctrl-C at a question is a decision to cancel the run, not a
//! signal that could land after the answer was taken.
//!
//! The terminal's settings are restored before each function returns (and by `crash` after a
//! bug, which saves them first). Input is read from the file descriptor itself, never through
//! std's buffered stdin, so nothing read here is left in a buffer that a flush cannot reach.
//! Must not decide anything: it returns keys and text.

use std::io::{IsTerminal as _, Read as _};
use std::os::fd::AsFd as _;

use nix::sys::termios::{
    FlushArg, LocalFlags, SetArg, SpecialCharacterIndices, Termios, tcflush, tcgetattr, tcsetattr,
};

/// ETX, what Ctrl-C sends when it is not a signal.
const CTRL_C: u8 = 0x03;
/// EOT, Ctrl-D.
const CTRL_D: u8 = 0x04;
const ESC: u8 = 0x1b;

/// A key pressed at a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// One of the keys asked for (lower case).
    Char(char),
    /// Enter: the default answer.
    Enter,
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-D, or input ended.
    End,
}

/// A line typed at a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text(String),
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-D on an empty line, or input ended.
    End,
}

/// Whether stdin is a terminal (else answers are read as lines from it).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Throws away everything typed but not read yet.
pub fn discard_typed_ahead() {
    let _ = tcflush(std::io::stdin(), FlushArg::TCIFLUSH);
}

/// Waits for one of `keys` (compared in lower case), Enter, Ctrl-C or Ctrl-D, without echo and
/// without waiting for Enter; other keys (arrows, letters not offered) are ignored. A key's
/// bytes that arrive with it (the `\n` of `y\n`, an escape sequence's tail) are consumed too.
pub fn read_key(keys: &str) -> std::io::Result<Key> {
    let _mode = Mode::set(|t| {
        t.local_flags
            .remove(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG | LocalFlags::IEXTEN);
        t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    })?;
    let mut input = raw_stdin()?;
    let mut buf = [0u8; 64];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(Key::End),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(key) = key_of(&buf[..n], keys) {
            return Ok(key);
        }
    }
}

/// The key that a chunk of input starts with, if it is one asked for.
pub fn key_of(bytes: &[u8], keys: &str) -> Option<Key> {
    match *bytes.first()? {
        CTRL_C => Some(Key::Interrupt),
        CTRL_D => Some(Key::End),
        b'\r' | b'\n' => Some(Key::Enter),
        ESC => None,
        b if b.is_ascii_graphic() => {
            let c = char::from(b).to_ascii_lowercase();
            keys.contains(c).then_some(Key::Char(c))
        }
        _ => None,
    }
}

/// Reads one line with the terminal's own line editing (echo, Backspace, Ctrl-U, Ctrl-W) and
/// Ctrl-C as a key: it ends the line, and the line reads as [`Line::Interrupt`].
pub fn read_line() -> std::io::Result<Line> {
    let _mode = Mode::set(|t| {
        t.local_flags
            .insert(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ECHOE);
        t.local_flags.remove(LocalFlags::ISIG);
        // An extra end-of-line character: the read returns at Ctrl-C as at Enter.
        t.control_chars[SpecialCharacterIndices::VEOL as usize] = CTRL_C;
    })?;
    let mut input = raw_stdin()?;
    let mut line = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        line.extend_from_slice(&buf[..n]);
        match line_of(&line, n == 0) {
            Some(l) => return Ok(l),
            None => continue,
        }
    }
}

/// What the bytes read so far make: `None` while the line is not finished.
pub fn line_of(bytes: &[u8], ended: bool) -> Option<Line> {
    if bytes.contains(&CTRL_C) {
        return Some(Line::Interrupt);
    }
    match bytes.last() {
        Some(b'\n') => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len() - 1]);
            Some(Line::Text(text.trim_end_matches('\r').to_string()))
        }
        // Ctrl-D on a non-empty line hands over what was typed without a newline.
        _ if ended && bytes.is_empty() => Some(Line::End),
        _ if ended => Some(Line::Text(String::from_utf8_lossy(bytes).into_owned())),
        _ => None,
    }
}

/// Stdin's file descriptor as a file of its own: reads go to the terminal, not through std's
/// buffer.
fn raw_stdin() -> std::io::Result<std::fs::File> {
    Ok(std::fs::File::from(
        std::io::stdin().as_fd().try_clone_to_owned()?,
    ))
}

/// The terminal's settings while a question reads; the saved ones come back on drop.
struct Mode {
    saved: Termios,
}

impl Mode {
    fn set(change: impl FnOnce(&mut Termios)) -> std::io::Result<Mode> {
        let saved = tcgetattr(std::io::stdin()).map_err(std::io::Error::from)?;
        // A bug while the terminal is changed must still give it back (`crash` restores these).
        crate::crash::save_terminal();
        let mut t = saved.clone();
        change(&mut t);
        tcsetattr(std::io::stdin(), SetArg::TCSANOW, &t).map_err(std::io::Error::from)?;
        Ok(Mode { saved })
    }
}

impl Drop for Mode {
    fn drop(&mut self) {
        let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, &self.saved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_from_the_first_byte_of_what_arrived() {
        assert_eq!(key_of(b"y", "ynaf!t"), Some(Key::Char('y')));
        assert_eq!(key_of(b"Y\n", "ynaf!t"), Some(Key::Char('y')));
        assert_eq!(key_of(b"!", "ynaf!t"), Some(Key::Char('!')));
        assert_eq!(key_of(b"\r", "yn"), Some(Key::Enter));
        assert_eq!(key_of(b"\n", "yn"), Some(Key::Enter));
        assert_eq!(key_of(&[CTRL_C], "yn"), Some(Key::Interrupt));
        assert_eq!(key_of(&[CTRL_D], "yn"), Some(Key::End));
        // Keys not offered, escape sequences (arrows), other control bytes: ignored.
        assert_eq!(key_of(b"a", "yn"), None);
        assert_eq!(key_of(b"\x1b[A", "yn"), None);
        assert_eq!(key_of(b"\x1b", "yn"), None);
        assert_eq!(key_of(b"\t", "yn"), None);
        assert_eq!(key_of("é".as_bytes(), "yn"), None);
        assert_eq!(key_of(b"", "yn"), None);
    }

    #[test]
    fn lines_end_at_enter_ctrl_c_or_the_end_of_input() {
        assert_eq!(
            line_of(b"fix it\n", false),
            Some(Line::Text("fix it".into()))
        );
        assert_eq!(
            line_of(b"fix it\r\n", false),
            Some(Line::Text("fix it".into()))
        );
        assert_eq!(line_of(b"fix", false), None);
        assert_eq!(line_of(b"fix\x03", false), Some(Line::Interrupt));
        assert_eq!(line_of(b"", true), Some(Line::End));
        assert_eq!(line_of(b"half", true), Some(Line::Text("half".into())));
    }
}
