/**
 * Splits a command line into words as a POSIX shell would for a simple command: blanks separate words,
 * single quotes keep everything, double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``, and a
 * backslash outside quotes keeps the next character. What a simple command cannot hold (an unquoted `;`,
 * `|`, `&`, `<`, `>`, `(`, `)`, `$`, a backquote, an unterminated quote) is refused with the reason: the
 * simulated hosts run one program, never a shell script.
 */
export type ShellWords =
  | { readonly ok: true; readonly words: string[] }
  | { readonly ok: false; readonly problem: string };

export function splitShellWords(line: string): ShellWords {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, problem: "a single quote is not closed" };
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        else if (line[j] === "$" || line[j] === "`")
          return { ok: false, problem: "expansions in double quotes are not simulated" };
        word += line[j];
      }
      if (j >= line.length) return { ok: false, problem: "a double quote is not closed" };
      i = j;
    } else if (c === "\\") {
      if (i + 1 < line.length) word += line[++i];
    } else if (";|&<>()$`".includes(c)) {
      return { ok: false, problem: `\`${c}\` makes it more than one simple command` };
    } else word += c;
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}
