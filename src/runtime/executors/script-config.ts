import { Document, isScalar, visit } from "yaml";
import type { Json } from "../../ir/schema.js";

/**
 * A ScriptQueue script's configuration as the YAML to paste into LOVE: keys sorted, lists of plain values
 * on one line (`- [ScriptQueue:3, OFFLINE]`, as the procedures write them), no final newline. The same
 * configuration always gives the same text.
 *
 * NOTE: written as YAML 1.1, which the scripts' parser (PyYAML) reads: strings that 1.1 would take for
 * something else (`yes`, `on`, `1:20`) are quoted, so the script receives exactly these values.
 */
export function scriptConfigYaml(config: Readonly<Record<string, Json>>): string {
  const doc = new Document(config, { version: "1.1", sortMapEntries: true });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 }).replace(/\n$/, "");
}
