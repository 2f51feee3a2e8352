//! The syntax tree of mapish's PowerShell subset.
//!
//! Every node carries the byte span of the source it came from, so that any error found later
//! (binding, conversion, evaluation) can underline the exact text the user typed.

use std::sync::Arc;

/// Byte offsets `[start, end)` into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A whole script, command line or script-block body: statements separated by `;` or newlines.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Pipeline(Pipeline),
    /// `$x = <pipeline>` and the compound forms (`+=`, `-=`); the target is a variable,
    /// possibly with member access or indexing (`$a.b = 1`, `$a[0] = 1`).
    Assignment { target: Expr, op: AssignOp, value: Pipeline, span: Span },
    /// `if (c) {…} elseif (c) {…} else {…}`
    If { clauses: Vec<(Pipeline, Script)>, else_body: Option<Script>, span: Span },
    /// `foreach ($x in <pipeline>) {…}`
    Foreach { variable: String, variable_span: Span, iterable: Pipeline, body: Script, span: Span },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Assign,
    Add,
    Subtract,
}

/// `a | b | c`, optionally redirected to a file (`> f`, `>> f`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub elements: Vec<PipelineElement>,
    pub redirection: Option<Redirection>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redirection {
    pub append: bool,
    pub target: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PipelineElement {
    /// A command in argument mode: `Set-CASMailbox alice -MAPIEnabled $false`.
    Command(CommandCall),
    /// An expression in expression mode, only allowed as the first element: `$m`, `1,2,3`, `(Get-X)`.
    Expression(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommandCall {
    /// As typed (`Set-CasMailbox`, `ft`, `?`, `%`).
    pub name: String,
    pub name_span: Span,
    pub args: Vec<CommandArg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CommandArg {
    /// `-Name` or `-Name:value`. `name` is without the dash, as typed. `value` is Some only for
    /// the colon form; a following separate argument is bound by the binder, not the parser.
    Parameter { name: String, value: Option<Expr>, span: Span },
    /// Any other argument: bare words, quoted strings, variables, `(…)`, `@(…)`, comma lists, script blocks.
    Value(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A bare word in argument mode (`https://x/mapi`, `mapi*`, `EX01\mapi`, `NTLM`): a string that
    /// the binder may still convert (a number-looking bare word stays a string here; see `Number`).
    BareWord(String),
    /// `'…'` with `''` already unescaped.
    SingleQuoted(String),
    /// `"…"` with backtick escapes resolved and `$var` / `$(…)` parts kept for evaluation.
    DoubleQuoted(Vec<StringPart>),
    /// `42`, `1.5`, `0x10`, `1kb` (PowerShell numeric literals, also in argument mode).
    Number(Number),
    /// `$name`, `${name}`, `$_`; the name is without `$`, as typed (`true`, `False`, `null`, `_`).
    Variable(String),
    /// `a, b, c` (argument mode and expression mode).
    List(Vec<Expr>),
    /// `@(…)`
    ArrayExpr(Script),
    /// `$(…)`
    SubExpr(Script),
    /// `(…)`: one pipeline or expression.
    Paren(Box<Pipeline>),
    /// `@{ key = value; … }`; keys are bare words or quoted strings or expressions.
    Hashtable(Vec<(Expr, Pipeline)>),
    /// `{ … }` with the original text for display.
    ScriptBlock(Arc<ScriptBlock>),
    /// `a.b` (also `a.'b'`, `a.$name`): `member` is the member-name expression.
    Member { target: Box<Expr>, member: Box<Expr> },
    /// `a[i]`
    Index { target: Box<Expr>, index: Box<Expr> },
    /// `a.Name(args)`: a .NET-style method call; the evaluator supports a few string/collection methods.
    MethodCall { target: Box<Expr>, name: String, args: Vec<Expr> },
    /// `[int]$x`, `[string]…`: a cast to a type named as typed.
    Cast { type_name: String, operand: Box<Expr> },
    /// `[System.Management.Automation.PSCredential]` standing alone (a type literal).
    TypeLiteral(String),
    /// `@name` splatting in argument mode.
    Splat(String),
    Unary { op: UnaryOp, operand: Box<Expr> },
    Binary { op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// An assignment used as a value, `($m.IISAuthenticationMethods += 'Negotiate')` or
    /// `$a = $b = 1`: assigns, and its value is the variable's (or property's) new value.
    Assign { target: Box<Expr>, op: AssignOp, value: Box<Pipeline> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum StringPart {
    Text(String),
    /// `$name` or `${name}` inside double quotes, including member-less variable references only
    /// (PowerShell does not expand `$a.b` in strings without `$(…)`).
    Variable { name: String, span: Span },
    /// `$( … )` inside double quotes.
    SubExpr(Script),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScriptBlock {
    pub body: Script,
    /// The text between the braces, as typed.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-not` and `!`
    Not,
    /// `-x`
    Negate,
    /// `+x`
    Plus,
    /// `,x` (unary comma: a one-element array)
    Comma,
}

/// Binary operators. Comparison operators carry case sensitivity: `-eq`/`-ieq` are
/// case-insensitive, `-ceq` case-sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    And,
    Or,
    Xor,
    Compare { op: CompareOp, case_sensitive: bool },
    /// `a..b`
    Range,
    /// `-f` format operator
    Format,
    /// `-join`, `-split`, `-replace` (case-insensitive unless `c`-prefixed)
    Join,
    Split { case_sensitive: bool },
    Replace { case_sensitive: bool },
    Is,
    IsNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Like,
    NotLike,
    Match,
    NotMatch,
    Contains,
    NotContains,
    In,
    NotIn,
}
