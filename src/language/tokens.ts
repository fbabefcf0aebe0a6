import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

/**
 * The tokens of `.dpl`. Every token has a `label`, the words that parse errors use for it
 * ("expected `{` or `after`, found a string"). Keywords are lowercase and reserved; states are uppercase.
 */

// A name: letters, digits and `_`, with inner hyphens (`science-platform`, `watcher-down`).
export const Ident = createToken({
  name: "Ident",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  label: "a name",
});

/** Any word: a name or a keyword. Script configuration keys and bare values accept every word. */
export const Word = createToken({ name: "Word", pattern: Lexer.NA, label: "a word" });
Ident.CATEGORIES = [Word];

/** The names of all keywords, to tell a misspelled keyword from a name. */
export const keywordNames: string[] = [];
export const keywordTokens: TokenType[] = [];
export const keywordByWord = new Map<string, TokenType>();

/** A keyword's token is named after the word in PascalCase (`heartbeat-only` is `HeartbeatOnly`). */
function keyword(word: string, extra: { categories?: TokenType[]; name?: string } = {}): TokenType {
  const pascal = word
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  const token = createToken({
    name: extra.name ?? pascal,
    pattern: new RegExp(`${word.replace(/-/g, "\\-")}(?![A-Za-z0-9_]|-[A-Za-z0-9_])`),
    label: `\`${word}\``,
    longer_alt: Ident,
    categories: [Word, ...(extra.categories ?? [])],
    start_chars_hint: [word.charAt(0)],
  });
  keywordNames.push(word);
  keywordByWord.set(word, token);
  keywordTokens.push(token);
  return token;
}

// Declarations
export const Import = keyword("import");
export const Site = keyword("site");
export const Host = keyword("host");
export const App = keyword("app");
export const Apps = keyword("apps");
export const Project = keyword("project");
export const Inventory = keyword("inventory");
export const Group = keyword("group");
export const Rules = keyword("rules");
export const Ignore = keyword("ignore");
export const Keep = keyword("keep");
export const Because = keyword("because");
export const Stdin = keyword("stdin");
export const Procedure = keyword("procedure");
export const Phase = keyword("phase");
export const Parallel = keyword("parallel");
export const Plan = keyword("plan");
export const For = keyword("for");
export const Document = keyword("document");
export const Section = keyword("section");
export const Item = keyword("item");

// Inventory
export const Simulator = keyword("simulator");
export const Unknown = keyword("unknown");
export const Starts = keyword("starts");
export const HeartbeatOnly = keyword("heartbeat-only");
export const Job = keyword("job");

/** The verbs that change a CSC's summary state; also the actions that rules speak of. */
export const TransitionVerb = createToken({
  name: "TransitionVerb",
  pattern: Lexer.NA,
  label: "a state verb",
});
export const RuleAction = createToken({ name: "RuleAction", pattern: Lexer.NA, label: "an action" });
export const Offline = keyword("offline", { categories: [TransitionVerb, RuleAction] });
export const Standby = keyword("standby", { categories: [TransitionVerb, RuleAction] });
export const Disable = keyword("disable", { categories: [TransitionVerb, RuleAction] });
export const Enable = keyword("enable", { categories: [TransitionVerb, RuleAction] });
export const Sync = keyword("sync", { categories: [RuleAction] });

// Steps
export const Via = keyword("via");
export const On = keyword("on");
export const Each = keyword("each");
export const Script = keyword("script");
export const Run = keyword("run");
export const Scale = keyword("scale");
export const Deployments = keyword("deployments");
export const Pods = keyword("pods");
export const Jobs = keyword("jobs");
export const Of = keyword("of");
export const In = keyword("in");
export const Where = keyword("where");
export const To = keyword("to");
export const Delete = keyword("delete");
export const Annotate = keyword("annotate");
export const SetKw = keyword("set", { name: "Set" });
export const Remove = keyword("remove");
export const Compatibility = keyword("compatibility");
export const Wait = keyword("wait");
export const Until = keyword("until");
export const Expect = keyword("expect");
export const Lag = keyword("lag");
export const Ready = keyword("ready");
export const Is = keyword("is");
export const Started = keyword("started");
export const Manual = keyword("manual");
export const Notify = keyword("notify");
export const Temporarily = keyword("temporarily");
export const Restore = keyword("restore");
export const Undo = keyword("undo");
export const Everything = keyword("everything");
export const But = keyword("but");
export const Runner = keyword("runner");

/** The admonitions, set apart before what they guard. */
export const AdmonitionKind = createToken({
  name: "AdmonitionKind",
  pattern: Lexer.NA,
  label: "an admonition",
});
export const Important = keyword("important", { categories: [AdmonitionKind] });
export const Attention = keyword("attention", { categories: [AdmonitionKind] });
export const Warning = keyword("warning", { categories: [AdmonitionKind] });
export const Note = keyword("note", { categories: [AdmonitionKind] });

// Clauses (modifiers) of steps, phases, rules and more
export const Only = keyword("only");
export const Except = keyword("except");
export const When = keyword("when");
export const After = keyword("after");
export const By = keyword("by");
export const Check = keyword("check");
export const Cite = keyword("cite");
export const Timeout = keyword("timeout");
export const Every = keyword("every");
export const DurationKw = keyword("duration", { name: "DurationKw" });
export const Retry = keyword("retry");
export const Critical = keyword("critical");
export const Confirm = keyword("confirm");
export const Url = keyword("url");
export const CommandKw = keyword("command", { name: "CommandKw" });
export const Else = keyword("else");
export const Fail = keyword("fail");
export const Continue = keyword("continue");
export const Ask = keyword("ask");
export const DoConfirm = keyword("do-confirm");

// Rules
export const First = keyword("first");
export const Last = keyword("last");
export const Before = keyword("before");
export const Among = keyword("among");

// Expressions
export const Not = keyword("not");
export const And = keyword("and");
export const Or = keyword("or");
export const True = keyword("true");
export const False = keyword("false");

/** The summary states of a CSC, uppercase as the observatory writes them. */
export const State = createToken({
  name: "State",
  pattern: Lexer.NA,
  label: "a state (OFFLINE, STANDBY, DISABLED, ENABLED, FAULT)",
});
export const stateNames = ["OFFLINE", "STANDBY", "DISABLED", "ENABLED", "FAULT"] as const;
const stateTokens = stateNames.map((s) =>
  createToken({
    name: s,
    pattern: new RegExp(`${s}(?![A-Za-z0-9_]|-[A-Za-z0-9_])`),
    label: `\`${s}\``,
    longer_alt: Ident,
    categories: [State, Word],
    start_chars_hint: [s.charAt(0)],
  }),
);

// A ScriptQueue script: `system_wide_shutdown.py`, `maintel/track_target.py`.
export const ScriptName = createToken({
  name: "ScriptName",
  pattern: /[A-Za-z_][A-Za-z0-9_-]*(?:\/[A-Za-z0-9_-]+)*\.py(?![A-Za-z0-9_])/,
  label: "a script name (such as `set_summary_state.py`)",
  start_chars_hint: [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"],
});

// Literals
export const TextBlock = createToken({
  name: "TextBlock",
  pattern: /"""[\s\S]*?"""/,
  label: "a text block",
  line_breaks: true,
});
export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: "a string",
});
/** A string that runs to the end of its line: reported after lexing, parsed as a string. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*/,
  label: "a string",
  categories: [StringLit],
});
/**
 * A string in single quotes (`'like this'`), closed or not: reported after lexing, parsed as a string, so
 * that a habit from other languages is one error and not a cascade of unexpected characters.
 */
export const SingleQuotedString = createToken({
  name: "SingleQuotedString",
  pattern: /'(?:[^'\\\r\n]|\\.)*'?/,
  label: "a string",
  categories: [StringLit],
});
export const UnterminatedTextBlock = createToken({
  name: "UnterminatedTextBlock",
  pattern: /"""[\s\S]*/,
  label: "a text block",
  line_breaks: true,
  categories: [TextBlock],
});
export const Command = createToken({
  name: "Command",
  pattern: /`(?:[^`\\\r\n]|\\.)*`/,
  label: "a command in backticks",
});
export const UnterminatedCommand = createToken({
  name: "UnterminatedCommand",
  pattern: /`(?:[^`\\\r\n]|\\.)*/,
  label: "a command in backticks",
  categories: [Command],
});
export const Duration = createToken({
  name: "Duration",
  pattern: /\d+(?:ms|s|m|h|d)(?:\d+(?:ms|s|m|h))*(?![A-Za-z0-9_.])/,
  label: "a duration (such as `30s`, `2m`, `1h30m`)",
  start_chars_hint: [..."0123456789"],
});
/** A number glued to letters (`30x`, `1.5h`, `10minutes`): reported after lexing, parsed as a duration. */
export const BadDuration = createToken({
  name: "BadDuration",
  pattern: /\d+(?:\.\d+)?[A-Za-z_][A-Za-z0-9_]*/,
  label: "a duration (such as `30s`, `2m`, `1h30m`)",
  categories: [Duration],
  start_chars_hint: [..."0123456789"],
});
export const NumberLit = createToken({
  name: "NumberLit",
  pattern: /-?\d+(?:\.\d+)?/,
  label: "a number",
  start_chars_hint: [..."-0123456789"],
});

// Punctuation
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "`{`" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "`}`" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "`(`" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "`)`" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "`]`" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "`,`" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "`:`" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "`.`" });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "`*`" });
export const EqEq = createToken({ name: "EqEq", pattern: /==/, label: "`==`" });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/, label: "`!=`" });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/, label: "`<=`" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "`=`" });

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });
/** A comment in the style of other languages (`// ...`): reported after lexing, then skipped like one. */
export const SlashComment = createToken({
  name: "SlashComment",
  pattern: /\/\/[^\n]*/,
  group: "slashComments",
});

/** All tokens in the order the lexer tries them (the first pattern that matches wins). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  SlashComment,
  TextBlock,
  UnterminatedTextBlock,
  StringLit,
  UnterminatedString,
  SingleQuotedString,
  Command,
  UnterminatedCommand,
  Duration,
  BadDuration,
  NumberLit,
  ScriptName,
  ...keywordTokens,
  ...stateTokens,
  Ident,
  Word,
  TransitionVerb,
  RuleAction,
  AdmonitionKind,
  State,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Dot,
  Star,
  EqEq,
  NotEq,
  LessEq,
  Equals,
];
