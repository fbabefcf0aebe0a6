/**
 * Quoting for a POSIX shell, used for the one place a shell cannot be avoided: the command line that ssh
 * hands to the remote user's shell. Locally, commands run from an argument vector and no shell.
 */

// Words made only of these characters mean the same to a POSIX shell quoted or not: no expansion, no
// globbing, no operator, no assignment (`=` is left out so that `A=b` is never read as one), no tilde.
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

// Reserved words are only special in command position, but quoting them everywhere costs nothing.
const RESERVED = new Set([
  "!",
  "case",
  "do",
  "done",
  "elif",
  "else",
  "esac",
  "fi",
  "for",
  "function",
  "if",
  "in",
  "select",
  "then",
  "time",
  "until",
  "while",
]);

/**
 * Quotes one argument so that a POSIX shell (sh, dash, bash, zsh) reads it back as exactly this string,
 * one word, with nothing expanded: a plain word stays bare, anything else goes in single quotes with each
 * `'` written as `'\''`. The empty string becomes `''`. Throws a TypeError for a string that holds a NUL
 * byte, which no argument vector can carry.
 */
export function quoteForShell(arg: string): string {
  if (arg.includes("\0")) throw new TypeError("an argument cannot contain a NUL byte");
  if (SAFE_WORD.test(arg) && !RESERVED.has(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * The command line a POSIX shell splits back into exactly `argv`: each argument quoted by
 * `quoteForShell`, joined with single spaces. Throws a TypeError for an empty vector or a NUL byte.
 */
export function shellCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError("a command needs at least a program");
  return argv.map(quoteForShell).join(" ");
}
