import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parseAllDocuments } from "yaml";
import { compileEntryWith } from "../../src/cli/compile-entry.js";
import { type ArgoExportOptions, argoYaml, exportArgo } from "../../src/emit/argo.js";
import type { ConfigMap, Manifest, Template, Workflow } from "../../src/emit/argo-types.js";
import type { Plan } from "../../src/ir/schema.js";
import { parse } from "../../src/language/parse.js";
import { FIXTURE_PLANS } from "../support/plans/index.js";

/**
 * What the Argo export tests share: every plan to export (the emitters' fixture plans, the export's own
 * .dpl fixture compiled for each site, and every entry in plans/ for every site it names), the Argo
 * Workflows JSON Schema (checked in beside this file), and a reader of exported YAML.
 */

export const ROOT = join(import.meta.dirname, "..", "..");
export const HERE = import.meta.dirname;

export interface ExportCase {
  readonly name: string;
  readonly plan: () => Plan;
}

/** Compiles a .dpl entry for every site it names; throws with the diagnostics when it does not compile. */
export function compileAll(path: string, param: string[] = []): Plan[] {
  const { plans, diagnostics } = compileEntryWith(parse, relative(ROOT, path), { root: ROOT, param });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new Error(`${path} does not compile:\n${errors.map((d) => `  ${d.code} ${d.message}`).join("\n")}`);
  }
  return plans.map((p) => {
    if (!p.plan) throw new Error(`${path} gave no plan for ${p.site}`);
    return p.plan;
  });
}

/** The entries in plans/ (each a `.dpl` file directly in the folder; shared files live in plans/common). */
export function planEntries(): string[] {
  return readdirSync(join(ROOT, "plans"))
    .filter((f) => f.endsWith(".dpl"))
    .sort()
    .map((f) => join(ROOT, "plans", f));
}

/** Every plan the export is tested on, by name. */
export function exportCases(): ExportCase[] {
  const cases: ExportCase[] = Object.entries(FIXTURE_PLANS).map(([name, plan]) => ({ name, plan }));
  const upgrade = join(HERE, "fixtures", "upgrade.dpl");
  for (const plan of compileAll(upgrade))
    cases.push({ name: `upgrade.dpl@${plan.site.name}`, plan: () => plan });
  for (const plan of compileAll(upgrade, ["breaks_schema=true"])) {
    cases.push({ name: `upgrade.dpl@${plan.site.name} breaks_schema`, plan: () => plan });
  }
  for (const entry of planEntries()) {
    for (const plan of compileAll(entry)) {
      cases.push({
        name: `plans/${relative(join(ROOT, "plans"), entry)}@${plan.site.name}`,
        plan: () => plan,
      });
    }
  }
  return cases;
}

export const OPTIONS: ArgoExportOptions = { image: "registry.example/plan:1.2.3", namespace: "argo" };

/** Exports a plan and reads the YAML back, as a YAML 1.1 reader (a Kubernetes tool) would. */
export function exported(
  plan: Plan,
  options: Partial<ArgoExportOptions> = {},
): { yaml: string; manifests: Manifest[]; configMap: ConfigMap; workflow: Workflow } {
  const result = exportArgo(plan, { ...OPTIONS, ...options });
  if (!result.ok) throw new Error(`${result.problem} (${result.help})`);
  const yaml = argoYaml(result.manifests);
  const docs = parseAllDocuments(yaml, { version: "1.1" });
  for (const d of docs) if (d.errors.length > 0) throw new Error(String(d.errors[0]));
  const manifests = docs.map((d) => d.toJS() as Manifest);
  return {
    yaml,
    manifests,
    configMap: manifests[0] as ConfigMap,
    workflow: manifests[1] as Workflow,
  };
}

/** The template of this name; throws when there is none. */
export function template(workflow: Workflow, name: string): Template {
  const t = workflow.spec.templates.find((x) => x.name === name);
  if (!t) throw new Error(`no template ${name}`);
  return t;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

const ajvs = new Map<boolean, Ajv2020>();

/** One Ajv per mode, holding the schema: the definitions of Workflow and WorkflowTemplate share its parts. */
function ajvFor(closed: boolean): Ajv2020 {
  const known = ajvs.get(closed);
  if (known) return known;
  const schema = JSON.parse(readFileSync(join(HERE, "fixtures", "argo-workflows.schema.json"), "utf8")) as {
    definitions: Record<string, Record<string, unknown>>;
  };
  if (closed) {
    for (const def of Object.values(schema.definitions)) {
      if (def.type === "object" && def.properties && def.additionalProperties === undefined)
        def.additionalProperties = false;
    }
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(schema, "argo");
  ajvs.set(closed, ajv);
  return ajv;
}

/**
 * Validators of an Argo Workflows definition: `published` is the schema as Argo publishes it; `closed`
 * also refuses a field the schema does not list (the published schema lets any unknown field through, so a
 * misspelled field would pass it).
 */
export function argoValidators(definition: string): { published: Validate; closed: Validate } {
  const make = (closed: boolean): Validate => {
    const validate = ajvFor(closed).getSchema(`argo#/definitions/${definition}`);
    if (!validate) throw new Error(`no definition ${definition} in the schema`);
    return validate as Validate;
  };
  return { published: make(false), closed: make(true) };
}
