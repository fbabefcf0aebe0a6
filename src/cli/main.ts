import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";

/**
 * The `plan` command line. Each verb lives in a file of its own and is imported only when it runs, so that
 * `plan check` never loads the Kubernetes and Kafka clients, the templates or the SVG renderer.
 *
 * Exit codes: 0 clean, 1 problems found (or a run that did not finish), 2 bad usage, 3 internal error.
 */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3 } as const;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** Collects repeated `--param k=v` options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export const formatOption = () =>
  new Option("--format <format>", "how to print problems").choices(["text", "json", "sarif"]).default("text");

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command("plan")
    .description("Compile, check, render and run deployment procedures written in .dpl")
    .version(version(), "-V, --version")
    .showHelpAfterError("(run `plan --help` for usage)")
    .exitOverride();

  program
    .command("check")
    .description(
      "check .dpl files: every entry is compiled for every site it names, and the ordering rules proven",
    )
    .argument("<paths...>", ".dpl files or folders of them")
    .addOption(formatOption())
    .option("--param <name=value>", "set a parameter of every entry (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .action(async (paths: string[], opts) => {
      const { checkCommand } = await import("./check.js");
      code = await checkCommand(paths, opts);
    });

  program
    .command("compile")
    .description("compile an entry for one site to a plan file (JSON with a content hash)")
    .argument("<entry>", "a .dpl entry, such as plans/summit.dpl")
    .option("-o, --output <file>", "where to write the plan (default out/<entry>.plan.json; - for stdout)")
    .option("--site <site>", "the site, when the entry names several")
    .option("--param <name=value>", "set a parameter (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .addOption(formatOption())
    .action(async (entry: string, opts) => {
      const { compileCommand } = await import("./compile.js");
      code = await compileCommand(entry, opts);
    });

  program
    .command("explain")
    .description("say why a step is where it is: its edges with their reasons, and what depends on it")
    .argument("<entry>", "a .dpl entry")
    .argument("<step>", "a step id (such as 3.2) or label")
    .option("--site <site>", "the site, when the entry names several")
    .option("--param <name=value>", "set a parameter (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .action(async (entry: string, step: string, opts) => {
      const { explainCommand } = await import("./explain.js");
      code = await explainCommand(entry, step, opts);
    });

  program
    .command("render")
    .description(
      "print the checklist of a plan: Markdown, or one HTML page that works on screen and on paper",
    )
    .argument("<input>", "a .dpl entry, or a plan file written by `plan compile`")
    .addOption(new Option("--format <format>", "the kind of checklist").choices(["md", "html"]).default("md"))
    .option("-o, --output <file>", "write it to this file instead of standard output")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--site <name>", "the site to compile a .dpl entry for")
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .action(async (input: string, opts) => {
      const { renderCommand } = await import("./render.js");
      code = await renderCommand(input, opts);
    });

  program
    .command("graph")
    .description("draw the plan's dependency graph: phases as clusters, manual steps and rule edges marked")
    .argument("<input>", "a .dpl entry, or a plan file written by `plan compile`")
    .addOption(
      new Option("--format <format>", "the kind of picture")
        .choices(["mermaid", "dot", "svg"])
        .default("mermaid"),
    )
    .option("-o, --output <file>", "write it to this file instead of standard output")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--site <name>", "the site to compile a .dpl entry for")
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .action(async (input: string, opts) => {
      const { graphCommand } = await import("./graph.js");
      code = await graphCommand(input, opts);
    });

  program
    .command("estimate")
    .description("how long a plan takes: the sum of its steps, its critical path, and when people are needed")
    .argument("<input>", "a .dpl entry or a plan file")
    .option("--site <site>", "the site, when the entry names several")
    .option("--param <name=value>", "set a parameter (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .option("--state-dir <dir>", "where past runs' journals are (durations are learned from them)", ".plan")
    .action(async (input: string, opts) => {
      const { estimateCommand } = await import("./estimate.js");
      code = await estimateCommand(input, opts);
    });

  program
    .command("trace")
    .description(
      "list each section and item of the source documents and the steps that implement it at each site",
    )
    .argument("<paths...>", ".dpl files or folders: the documents and the entries to trace")
    .option("-o, --output <file>", "write the Markdown table to this file instead of standard output")
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .action(async (paths: string[], opts) => {
      const { traceCommand } = await import("./trace.js");
      code = await traceCommand(paths, opts);
    });

  program
    .command("run")
    .description("run a plan against its site: dependency order, operator gates, journal, resume, lock")
    .argument("<plan>", "a plan file written by `plan compile`, or a .dpl entry")
    .option("--site <name>", "the site to compile a .dpl entry for (a plan file must be for this site)")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .option("--concurrency <n>", "run at most this many independent steps at once", "4")
    .option("--dry-run", "print exactly what each step would do, and do nothing")
    .option("--step", "ask before every step")
    .option("--from <step>", "start at this step (or phase) and run everything after it")
    .option("--only <steps>", "run only these steps and phases (comma-separated)")
    .option("--resume", "continue the run in the journal")
    .option("--fresh", "set an unfinished run's journal aside and start over")
    .option("--state-dir <dir>", "where journals and local locks are kept (default: .plan)")
    .option("--answers <file>", "the operator's answers, in YAML, for runs without a terminal")
    .option("--kubeconfig <file>", "the kubeconfig to use instead of the site's")
    .option("--secret <NAME>", "an environment variable that holds a secret to mask (repeatable)", collect)
    .option(
      "--lock-namespace <ns>",
      "the namespace of the site's Lease (default: $PLAN_LOCK_NAMESPACE or default)",
    )
    .option(
      "--simulate",
      "rehearse against a simulated site started here, on 127.0.0.1: nothing real is touched",
    )
    .option("--speed <n>", "with --simulate: how many times faster than real time the site runs (default 60)")
    .option(
      "--faults <spec>",
      "with --simulate: faults to rehearse, e.g. csc-fault=ATDome,broker-down=2m (repeatable; see plan simulate --help)",
      collect,
    )
    .action(async (input: string, opts) => {
      const { runCommand } = await import("./run.js");
      code = await runCommand(input, opts);
    });

  program
    .command("simulate")
    .description(
      "serve a plan's simulated site on 127.0.0.1 until Ctrl-C, to look at it with kubectl, kcat, curl",
    )
    .argument("<plan>", "a .dpl entry, or a plan file written by `plan compile`")
    .option("--site <name>", "the site to compile a .dpl entry for")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .option("--state-dir <dir>", "the state directory whose simulated site to serve (default: .plan)")
    .option("--speed <n>", "how many times faster than real time the site runs (default 1)")
    .option("--fresh", "start a fresh site instead of the one saved in the state directory")
    .option(
      "--faults <spec>",
      "faults: csc-fault=<CSC>, app-degraded=<app>, app-sync-failed=<app>, broker-down=<duration>, lag-stuck=<group prefix>, ssh-refuse=<host> (repeatable)",
      collect,
    )
    .action(async (input: string, opts) => {
      const { simulateCommand } = await import("./simulate.js");
      code = await simulateCommand(input, opts);
    });

  program
    .command("unlock")
    .description("break a stale lock of a site, by the id that `plan run` printed")
    .argument("[plan]", "the plan (or .dpl entry) whose site's lock to break")
    .requiredOption("--id <lock id>", "the id of the lock to break")
    .option("--site <name>", "the site whose lock to break")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .option("--state-dir <dir>", "where local locks are kept (default: .plan)")
    .option("--kubeconfig <file>", "the kubeconfig of the site's cluster, instead of the site's")
    .option("--lock-namespace <ns>", "the namespace of the site's Lease")
    .action(async (input: string | undefined, opts) => {
      const { unlockCommand } = await import("./unlock.js");
      code = await unlockCommand(input, opts);
    });

  program
    .command("export")
    .description(
      "write the plan for another engine: Argo Workflows manifests that run it on the site's cluster",
    )
    .argument("<input>", "a .dpl entry, or a plan file written by `plan compile`")
    .addOption(new Option("--target <target>", "the engine").choices(["argo"]).makeOptionMandatory())
    .option("-o, --output <file>", "write the manifests to this file instead of standard output")
    .option("--param <name=value>", "set a parameter of the entry (repeatable)", collect)
    .option("--site <name>", "the site to compile a .dpl entry for")
    .option("--root <dir>", "imports may not reach outside this folder", ".")
    .option(
      "--image <image>",
      "the image of the step pods (default plan:<version>; -p image=... at submission)",
    )
    .option("--namespace <ns>", "the namespace of the workflow and its ConfigMap")
    .option("--service-account <name>", "the service account the step pods run as (default plan)")
    .option("--template", "write a WorkflowTemplate instead of a Workflow")
    .option("--config-map <name>", "the name of the ConfigMap that carries the plan")
    .option(
      "--secret-name <name>",
      "the Secret with the site's credentials (default plan-<site>-credentials)",
    )
    .option(
      "--ssh-secret-name <name>",
      "the Secret with the ssh key and known_hosts (default plan-<site>-ssh)",
    )
    .option("--concurrency <n>", "run at most this many step pods at once (default 4)")
    .option(
      "--lock-namespace <ns>",
      "the namespace of the site's Lease, for the pods' check (default: default)",
    )
    .addOption(
      new Option("--local-commands <where>", "where commands without a host run")
        .choices(["operator", "pod"])
        .default("operator"),
    )
    .action(async (input: string, opts) => {
      const { exportCommand } = await import("./export.js");
      code = await exportCommand(input, opts);
    });

  program
    .command("step")
    .description("run exactly one automated step of a plan, as `plan run` would (the Argo export's pods)")
    .argument("<plan>", "a plan file written by `plan compile`")
    .argument("<step>", "the id of the step")
    .option("--expect-hash <hash>", "refuse the plan unless its hash is this one")
    .option("--in-cluster", "reach Kubernetes as the pod's service account (in a pod)")
    .option("--kubeconfig <file>", "the kubeconfig to use instead of the site's")
    .option("--state-dir <dir>", "where the journal is kept (default: .plan)")
    .option(
      "--journal <where>",
      "`-`: the journal to standard output, the display to standard error (default: in --state-dir)",
    )
    .option(
      "--outcome-file <file>",
      "keep how the step stands in this file: not-started, started, done, skipped, failed",
    )
    .option("--confirmed", "the step's confirm question was answered yes already")
    .option("--secret <NAME>", "an environment variable that holds a secret to mask (repeatable)", collect)
    .option(
      "--lock-namespace <ns>",
      "the namespace of the site's Lease, which must not be held by a `plan run`",
    )
    .action(async (input: string, id: string, opts) => {
      const { stepCommand } = await import("./step.js");
      code = await stepCommand(input, id, opts);
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    process.stderr.write(
      `internal error, please report it with what you ran:\n${(e as Error)?.stack ?? String(e)}\n`,
    );
    return EXIT.internal;
  }
  return code;
}
