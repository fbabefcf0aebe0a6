import { describe, expect, it } from "vitest";
import { diskTemplates } from "../../src/cli/templates.js";
import { renderMarkdown } from "../../src/emit/markdown.js";
import { compileChecklistTemplates, type TemplateReader, templateFiles } from "../../src/emit/templates.js";
import { summitFullUpgrade } from "../support/plans/summit-full-upgrade.js";

/** The package's templates, with one file replaced. */
const withFile =
  (path: string, text: string | undefined): TemplateReader =>
  (p) =>
    p === path ? text : diskTemplates(p);

describe("the template files", () => {
  it("are all in templates/, a partial per phase, step, admonition and the rest, for each format", () => {
    for (const format of ["md", "html"] as const) {
      for (const file of templateFiles(format)) expect(diskTemplates(file), file).toEqual(expect.any(String));
    }
    expect(templateFiles("md")).toEqual(
      expect.arrayContaining([
        "markdown/checklist.md.hbs",
        "markdown/partials/phase.md.hbs",
        "markdown/partials/step.md.hbs",
        "markdown/partials/admonition.md.hbs",
      ]),
    );
    expect(templateFiles("html")).toEqual(
      expect.arrayContaining([
        "html/partials/phase.html.hbs",
        "html/partials/step.html.hbs",
        "html/partials/style.css.hbs",
      ]),
    );
  });

  it("never triple-stash anything but the SVG and never use the raw-output helpers on plan text", () => {
    for (const format of ["md", "html"] as const) {
      for (const file of templateFiles(format)) {
        const stashes = diskTemplates(file)!.match(/\{\{\{[^}]*\}\}\}/g) ?? [];
        expect(stashes, file).toEqual(file === "html/partials/graph.html.hbs" ? ["{{{svg}}}"] : []);
      }
    }
  });
});

describe("strict mode", () => {
  const plan = summitFullUpgrade();

  it("makes a field that the view does not have an error, not an empty string", () => {
    const read = withFile("markdown/partials/step.md.hbs", "- [ ] {{md id}} {{titel}}\n");
    const template = compileChecklistTemplates("md", read);
    expect(() => renderMarkdown(plan, template)).toThrow(/"titel" not defined/);
  });

  it("makes a helper given a missing field an error", () => {
    const read = withFile("markdown/partials/step.md.hbs", "- [ ] {{md id}} {{md titel}}\n");
    expect(() => renderMarkdown(plan, compileChecklistTemplates("md", read))).toThrow(
      /helper md: expected a string, got nothing/,
    );
  });

  it("refuses an unknown helper when compiling, naming the file", () => {
    const read = withFile("markdown/partials/phase.md.hbs", "{{shout title}}\n");
    expect(() => compileChecklistTemplates("md", read)).toThrow(
      /template markdown\/partials\/phase\.md\.hbs: .*shout/,
    );
  });

  it("names a missing template file", () => {
    const read = withFile("html/partials/admonition.html.hbs", undefined);
    expect(() => compileChecklistTemplates("html", read)).toThrow(
      "template html/partials/admonition.html.hbs is missing",
    );
  });

  it("names a template that does not parse", () => {
    const read = withFile("html/partials/step.html.hbs", "{{#if critical}}unclosed");
    expect(() => compileChecklistTemplates("html", read)).toThrow(/template html\/partials\/step\.html\.hbs/);
  });
});
