import { Document, visit } from "yaml";

/**
 * YAML for Kubernetes tools. kubectl, Argo and most Kubernetes tooling read YAML with Go libraries that
 * follow YAML 1.1 (`yes`, `no`, `on`, `off`, `y`, `n` are booleans, `0400` is octal, `1:20` is 80), while
 * other readers follow YAML 1.2 (`0o17` is a number there, and not in 1.1). A string is written plain only
 * when every reader takes it for that same string; otherwise it is double-quoted. Strings of several lines
 * are block literals (`|`), so that step texts and the plan's JSON stay readable. Nothing is folded.
 */

/** Strings that some YAML reader gives a meaning of its own, beyond what the two schemas below catch. */
const RISKY = new Set(["=", "<<"]);

/** What the YAML 1.2 core schema reads as null, a boolean or a number (spec 10.3.2). */
const CORE_12 =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * Whether a YAML 1.2 reader would take this text, written plain, for something else than this string
 * (`0o17` is 15 there, and a plain string in YAML 1.1), or whether it is empty or padded, or one of the
 * few strings some readers treat specially (`=`, `<<`). What YAML 1.1 reads otherwise (`yes`, `on`, `1:20`,
 * `0400`, `2001-12-14`) the writer quotes anyway, as it writes a YAML 1.1 document.
 */
export function isAmbiguousPlain(text: string): boolean {
  return text === "" || text.trim() !== text || RISKY.has(text) || CORE_12.test(text);
}

/**
 * One or more objects as a YAML stream (`---` between documents), keys in the order given. Strings that a
 * YAML 1.1 or 1.2 reader could take for a boolean, a number, a date or null are quoted; strings with line
 * breaks are block literals. The text ends with a newline.
 */
export function toKubernetesYaml(documents: readonly unknown[]): string {
  return documents.map((d) => documentText(d)).join("---\n");
}

function documentText(value: unknown): string {
  const doc = new Document(value, {
    version: "1.1",
    aliasDuplicateObjects: false,
    // NOTE: without this, the YAML 1.1 schema writes the string `<<` bare, which a 1.1 reader takes for a
    // merge key; the visitor below quotes it instead.
    customTags: (tags) =>
      tags.filter((t) => (typeof t === "string" ? t : t.tag) !== "tag:yaml.org,2002:merge"),
  });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      const text = node.value;
      if (text.includes("\n") && blockSafe(text)) node.type = "BLOCK_LITERAL";
      else if (text.includes("\n") || isAmbiguousPlain(text)) node.type = "QUOTE_DOUBLE";
    },
  });
  // NOTE: keys go through the same visitor (a key is a Scalar too), so a key such as `on` is quoted.
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * Whether a block literal can hold the text exactly: no carriage return (a reader turns line breaks into
 * `\n`) and no other control or line-separator character. Leading spaces are fine: the library writes an
 * indentation indicator when the first line needs one.
 */
function blockSafe(text: string): boolean {
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(text);
}
