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
