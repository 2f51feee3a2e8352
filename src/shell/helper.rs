//! The rustyline Helper of the REPL: Tab completion from the declarations and the store.
//!
//! Hints are off and highlighting is left plain: colour in the input line would have to be
//! recomputed on every key, and PowerShell's classic console shows none either.
//!
//! Multi-line input is decided in the REPL loop, not by the Validator: rustyline lays a
//! multi-line buffer out without a prompt on its continuation rows, while PowerShell shows `>> `
//! on each. So the loop reads a line, asks the parser whether the statement is incomplete
//! (`ParseError::incomplete`), and if so reads the next line with the `>> ` prompt; the
//! statement's earlier lines are handed to the completer through `pending`.

use std::cell::RefCell;
use std::rc::Rc;

use mapish_store::Store;

use crate::admin::AdminClient;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

/// Where completion finds identities: the store itself, or the server that owns it.
pub enum CompletionSource {
    Store(Store),
    Remote(Rc<RefCell<AdminClient>>),
}

pub struct ShellHelper {
    source: CompletionSource,
    /// The session's variable names, refreshed after each command line.
    variables: RefCell<Vec<String>>,
    /// The earlier lines of a statement being continued after `>> `.
    pending: RefCell<String>,
}

impl ShellHelper {
    pub fn new(source: CompletionSource) -> Self {
        ShellHelper { source, variables: RefCell::new(Vec::new()), pending: RefCell::new(String::new()) }
    }

    pub fn set_variables(&self, names: Vec<String>) {
        *self.variables.borrow_mut() = names;
    }

    pub fn set_pending(&self, text: &str) {
        text.clone_into(&mut self.pending.borrow_mut());
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let pending = self.pending.borrow();
        let variables = self.variables.borrow();
        match &self.source {
            CompletionSource::Store(store) => Ok(super::complete::candidates(&pending, line, pos, Some(store), &variables)),
            // The server knows this session's variables itself.
            CompletionSource::Remote(client) => match client.borrow_mut().complete(&pending, line, pos) {
                Ok((start, found)) => {
                    Ok((start, found.into_iter().map(|(display, replacement)| Pair { display, replacement }).collect()))
                }
                Err(e) => {
                    tracing::debug!(error = %e, "remote completion failed");
                    Ok((pos, Vec::new()))
                }
            },
        }
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

/// The helper of one-off prompts (confirmation, mandatory parameters, credentials): no
/// completion; with `mask` set, the input shows as `*` (passwords, SecureString parameters).
#[derive(Default)]
pub struct PromptHelper {
    pub mask: bool,
}

impl Completer for PromptHelper {
    type Candidate = String;
}

impl Hinter for PromptHelper {
    type Hint = String;
}

impl Highlighter for PromptHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> std::borrow::Cow<'l, str> {
        if self.mask {
            // One `*` per character typed: the layout rustyline computes from the real text
            // stays right as long as the widths match, which holds for single-width characters.
            std::borrow::Cow::Owned("*".repeat(line.chars().count()))
        } else {
            std::borrow::Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: rustyline::highlight::CmdKind) -> bool {
        self.mask && kind != rustyline::highlight::CmdKind::MoveCursor
    }
}

impl Validator for PromptHelper {}

impl Helper for PromptHelper {}
