import { stringify } from "yaml";
import type { Repository } from "./model.js";

/**
 * Writes a synthetic repository as the YAML a team would keep instead of a language: the same files as
 * the `.dpl` layout, each a mapping whose shape `yaml-schema.ts` validates. Steps are mappings with a
 * `kind` and the step's fields, clauses are plain keys (`only: [s0]`, `when: "not breaks_schema"`).
 */
export function toYaml(repo: Repository): Record<string, string> {
  const files: Record<string, string> = {};
  const write = (path: string, value: object) => {
    files[path] = stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  };
  for (const site of repo.sites) write(`sites/${site.name}.yaml`, { site });
  write("plans/common/groups.yaml", { groups: repo.groups });
  write("plans/common/rules.yaml", { rules: repo.rules });
  write("plans/common/ignore.yaml", { ignore: repo.ignore });
  write("plans/common/document.yaml", { documents: repo.documents });
  write(`plans/${repo.procedure.name}.yaml`, {
    imports: ["common/groups.yaml", "common/rules.yaml", "common/ignore.yaml", "common/document.yaml"],
    procedure: repo.procedure,
  });
  write("plans/bench.yaml", {
    imports: [...repo.sites.map((s) => `../sites/${s.name}.yaml`), `${repo.procedure.name}.yaml`],
    plans: [repo.entry],
  });
  return files;
}
