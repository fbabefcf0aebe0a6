import type { Plan, Step, StepOf } from "../ir/schema.js";
import { commandLine, formatDuration, inlineRuns, paragraphs, type Run, shellQuote, toYaml } from "./text.js";

/**
 * What a person needs to do a step by hand, or to follow what the runtime does: the exact command,
 * script configuration or URL, as format-neutral blocks that both checklist templates render.
 * Commands shown for automated steps are the equivalent of what the runtime does through its client
 * libraries (kubectl for Kubernetes, curl for the schema registry), so the checklist also works without
 * `plan run`.
 */

/**
 * One block under a checklist item. Exactly one of the three fields is set. A `compact` list is long and
 * made of short names: set in columns in HTML, on one line in Markdown.
 */
export type Detail =
  | { para: Run[] }
  | { block: { label: Run[]; text: string; lang: string } }
  | { list: { label: Run[]; items: Run[][]; compact?: true } };

/** A short tag naming the kind of step, for the eye (the title says what to do). */
export const KIND_LABELS: Record<Step["kind"], string> = {
  "csc-transition": "state change",
  script: "script",
  "csc-states": "state check",
  command: "command",
  "k8s-scale": "kubernetes",
  "k8s-delete-jobs": "kubernetes",
  "k8s-annotate": "kubernetes",
  "k8s-wait-ready": "kubernetes",
  "kafka-lag": "kafka",
  "argocd-sync": "argo cd",
  "registry-set-compatibility": "schema registry",
  "registry-check-compatibility": "schema registry",
  wait: "wait",
  manual: "manual",
  notify: "notify",
  checkpoint: "checkpoint",
};

const t = (text: string): Run => ({ text });
const c = (code: string): Run => ({ code });

/**
 * The blocks of one step: those of its kind, then the command a person would type to do or check it by hand,
 * where the procedure gives one. Total over every step kind of the IR; never throws.
 */
export function stepDetails(step: Step, plan: Plan): Detail[] {
  const byHand: Detail[] =
    step.kind !== "manual" && step.command !== undefined
      ? [{ block: { label: [t("By hand:")], text: step.command, lang: "sh" } }]
      : [];
  return [...kindDetails(step, plan), ...byHand];
}

function kindDetails(step: Step, plan: Plan): Detail[] {
  switch (step.kind) {
    case "csc-transition":
      return transition(step);
    case "script":
      return [scriptBlock(step.script, step.queue, step.config)];
    case "csc-states":
      return expectedStates(step);
    case "command":
      return [
        {
          block: {
            label: step.host ? hostLabel(step.host) : [t("Run on your machine:")],
            text: commandLine(step.argv),
            lang: "sh",
          },
        },
        ...(step.stdin !== undefined
          ? [
              {
                para: [
                  t("When it asks, answer "),
                  c(step.stdin.replace(/\n$/, "")),
                  t(" (the run gives it this on its input)."),
                ],
              },
            ]
          : []),
      ];
    case "k8s-scale":
    case "k8s-delete-jobs":
    case "k8s-annotate":
    case "k8s-wait-ready":
      return [kubectl(step, plan)];
    case "kafka-lag":
      return [
        {
          para: [
            t("Wait until every consumer group whose name starts with "),
            c(step.groupPrefix),
            t(` has a lag of at most ${step.max} message${step.max === 1 ? "" : "s"}`),
            ...(plan.site.kafka?.toolsSite
              ? [t(" (kafka-tools site "), c(plan.site.kafka.toolsSite), t(")")]
              : []),
            t("."),
          ],
        },
      ];
    case "argocd-sync":
      return [
        {
          block: {
            label: [
              t("Sync the application "),
              c(step.app),
              ...(step.project ? [t(" (project "), c(step.project), t(")")] : []),
              t(plan.site.argocd ? " in the Argo CD UI, or:" : ":"),
            ],
            text: commandLine(["argocd", "app", "sync", step.app]),
            lang: "sh",
          },
        },
      ];
    case "registry-set-compatibility":
      return [
        {
          block: {
            label: [t("Set the compatibility level to "), c(step.level), t(":")],
            text: `${commandLine([
              "curl",
              "-s",
              "-X",
              "PUT",
              "-H",
              "Content-Type: application/vnd.schemaregistry.v1+json",
              "--data",
              JSON.stringify({ compatibility: step.level }),
            ])} ${registryConfigUrl(plan)}`,
            lang: "sh",
          },
        },
      ];
    case "registry-check-compatibility":
      return [
        {
          block: {
            label: [t("Expect the compatibility level "), c(step.level), t(":")],
            text: `curl -s ${registryConfigUrl(plan)}`,
            lang: "sh",
          },
        },
      ];
    case "wait":
      return [{ para: [t(`Wait ${formatDuration(step.seconds)}.`)] }];
    case "manual":
      return manual(step);
    case "notify":
      return [
        {
          block: {
            label: step.channel
              ? [t("Post on "), c(step.channel), t(":")]
              : plan.site.slack
                ? [t("Post on the site's channel "), c(plan.site.slack), t(":")]
                : [t("Tell the people concerned:")],
            text: step.message,
            lang: "text",
          },
        },
      ];
    case "checkpoint":
      return [];
  }
}

function transition(step: StepOf<"csc-transition">): Detail[] {
  const out: Detail[] = [scriptBlock(step.script, step.queue, step.config)];
  if (step.cscs.length > 1 && step.cscs.length <= 8) {
    out.push({
      para: [
        t(`It sends ${step.cscs.length} CSCs to ${step.state}, in this order: ${step.cscs.join(", ")}.`),
      ],
    });
  } else if (step.cscs.length > 8) {
    out.push({
      list: {
        label: [t(`It sends ${step.cscs.length} CSCs to ${step.state}, in this order:`)],
        items: step.cscs.map((csc) => [t(csc)]),
        compact: true,
      },
    });
  }
  if (step.ignored.length > 0) {
    out.push({
      list: {
        label: [t("Leave these alone:")],
        items: step.ignored.map((i) => [
          c(i.csc),
          t(` stays ${i.keep}`),
          ...(i.reason ? [t(": "), ...inlineRuns(i.reason)] : []),
        ]),
      },
    });
  }
  return out;
}

/** The states to expect, grouped: long groups set compact, the heartbeat-only ones said as such. */
function expectedStates(step: StepOf<"csc-states">): Detail[] {
  const groups = new Map<string, { state: string; heartbeatOnly: boolean; cscs: string[] }>();
  for (const e of step.expect) {
    // Only OFFLINE is told by heartbeats alone; any other state is read as usual.
    const heartbeatOnly = e.heartbeatOnly && e.state === "OFFLINE";
    const key = `${e.state} ${heartbeatOnly}`;
    const group = groups.get(key) ?? { state: e.state, heartbeatOnly, cscs: [] };
    group.cscs.push(e.csc);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ state, heartbeatOnly, cscs }) => {
    const compact = cscs.length > 8;
    const label = heartbeatOnly
      ? "Expect no heartbeats from these (they never report OFFLINE themselves):"
      : `Expect ${state} (${cscs.length}):`;
    return {
      list: {
        label: [t(label)],
        items: cscs.map((csc) => [compact ? t(csc) : c(csc)]),
        ...(compact ? { compact: true as const } : {}),
      },
    };
  });
}

function scriptBlock(script: string, queue: string, config: Record<string, unknown>): Detail {
  return {
    block: {
      label: [t("Run "), c(script), t(" on "), c(queue), t(" with this configuration:")],
      text: toYaml(config as never).replace(/\n$/, ""),
      lang: "yaml",
    },
  };
}

function manual(step: StepOf<"manual">): Detail[] {
  const out: Detail[] = [];
  let text = step.text.trim();
  // The compiler titles a manual step with the first sentence of its text: do not print it twice.
  if (text.startsWith(step.title)) text = text.slice(step.title.length).replace(/^[\s.!?:;,]+/, "");
  for (const p of paragraphs(text)) out.push({ para: inlineRuns(p) });
  if (step.command !== undefined) {
    out.push({ block: { label: [t("Command:")], text: step.command, lang: "sh" } });
  }
  return out;
}

function hostLabel(host: NonNullable<StepOf<"command">["host"]>): Run[] {
  const login = `${host.user ? `${host.user}@` : ""}${host.address}${host.port ? `:${host.port}` : ""}`;
  return [t("Run on "), c(host.name), t(" ("), c(login), t("):")];
}

/** The registry's `/config` URL as a shell word; without a URL in the plan, the variable the seed uses. */
function registryConfigUrl(plan: Plan): string {
  const url = plan.site.schemaRegistry?.url;
  return url === undefined
    ? '"$SCHEMA_REGISTRY_LISTENERS/config"'
    : shellQuote(`${url.replace(/\/+$/, "")}/config`);
}

function kubectl(
  step: StepOf<"k8s-scale" | "k8s-delete-jobs" | "k8s-annotate" | "k8s-wait-ready">,
  plan: Plan,
): Detail {
  const base = ["kubectl", ...(plan.site.kubernetes ? ["--context", plan.site.kubernetes.context] : [])];
  const ns = ["-n", step.namespace];
  const select = (selector: string | undefined) => (selector ? ["-l", selector] : ["--all"]);
  let argv: string[];
  let label: Run[];
  switch (step.kind) {
    case "k8s-scale":
      argv = [...base, "scale", "deployment", ...ns, ...select(step.selector), `--replicas=${step.replicas}`];
      label = [t(`Scale to ${step.replicas} replica${step.replicas === 1 ? "" : "s"}:`)];
      break;
    case "k8s-delete-jobs":
      argv = [...base, "delete", "jobs", ...ns, ...select(step.selector)];
      label = [t("Delete the jobs:")];
      break;
    case "k8s-annotate": {
      const type = step.resource.group
        ? `${step.resource.plural}.${step.resource.group}`
        : step.resource.plural;
      const change = step.value === null ? `${step.key}-` : `${step.key}=${step.value}`;
      argv = [...base, "annotate", ...ns, `${type}/${step.resourceName}`, change, "--overwrite"];
      label = step.value === null ? [t("Remove the annotation:")] : [t("Set the annotation:")];
      break;
    }
    case "k8s-wait-ready": {
      const condition = step.resource === "pods" ? "condition=Ready" : "condition=Available";
      const timeout =
        step.timeoutSeconds !== undefined ? [`--timeout=${Math.round(step.timeoutSeconds)}s`] : [];
      argv = [
        ...base,
        "wait",
        ...ns,
        step.resource,
        ...select(step.selector),
        `--for=${condition}`,
        ...timeout,
      ];
      label = [t(`Wait until the ${step.resource} are ${step.resource === "pods" ? "ready" : "available"}:`)];
      break;
    }
  }
  return { block: { label, text: commandLine(argv), lang: "sh" } };
}
