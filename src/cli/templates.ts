import { readFileSync } from "node:fs";
import type { TemplateReader } from "../emit/templates.js";

/** The package's `templates/` folder, from `src/cli` (tests) and from `dist/cli` (the installed command). */
export const TEMPLATES_DIR = new URL("../../templates/", import.meta.url);

/** Reads the checklist templates from the package's `templates/` folder; `undefined` for a missing file. */
export const diskTemplates: TemplateReader = (path) => {
  try {
    return readFileSync(new URL(path, TEMPLATES_DIR), "utf8");
  } catch {
    return undefined;
  }
};
