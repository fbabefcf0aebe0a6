import pc from "picocolors";
import type { Step } from "../ir/schema.js";
import type { Clock, Progress } from "./executor.js";
import { formatMs } from "./poll.js";
import type { Redactor } from "./redact.js";

/** What the run shows the operator. The scheduler calls it; it never decides anything. */
export interface RunDisplay {
  /** A line of information (the run's plan, a skipped dependency, a lock taken over). */
  notice(text: string): void;
  stepStarted(step: Step, attempt: number): void;
  output(step: Step, line: string): void;
  stepEnded(step: Step, end: StepEnd): void;
  /** The live state of a wait: redrawn in place on a terminal, a line every so often otherwise. */
  progress(step: Step, progress: Progress): void;
  summary(summary: RunSummary): void;
  /** Stops and restarts the live display around a prompt. */
  pause(): void;
  resume(): void;
}

export type StepEnd =
  | { readonly status: "done"; readonly durationMs: number; readonly summary?: string }
  | { readonly status: "skipped"; readonly durationMs: number; readonly reason: string }
  | {
      readonly status: "failed";
      readonly durationMs: number;
      readonly message: string;
      readonly help?: string;
      readonly retrying: boolean;
    }
  | { readonly status: "stopped"; readonly durationMs: number; readonly reason: string };

/** The end of a run, for the summary. */
export interface RunSummary {
  readonly planId: string;
  readonly outcome: "finished" | "failed" | "stopped" | "aborted";
  readonly reason?: string;
  readonly done: readonly string[];
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
  readonly failed: readonly { readonly id: string; readonly message: string }[];
  /** Selected steps not done or skipped, in the plan's order. */
  readonly remaining: readonly string[];
  /** The command that resumes the run, when something remains. */
  readonly resumeCommand?: string;
}

/** Where the display writes. */
export interface DisplaySink {
  write(text: string): void;
  /** A terminal: waits are redrawn in place. */
  readonly isTTY?: boolean;
}

/** How often a wait prints a line when the output is not a terminal. */
export const PROGRESS_LINE_EVERY_MS = 30_000;

/**
 * The display of `plan run`: a line per step start and end with its id, title and duration, the steps'
 * output indented under their id, live waits, and the summary. Everything goes through the redactor.
 */
export class TextDisplay implements RunDisplay {
  private readonly waits = new Map<string, { step: Step; progress: Progress; printedAt?: number }>();
  private drawn = 0;
  private paused = false;
  private readonly c: ReturnType<typeof pc.createColors>;

  constructor(
    private readonly sink: DisplaySink,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    options: { color?: boolean } = {},
  ) {
    this.c = pc.createColors(options.color ?? false);
  }

  notice(text: string): void {
    this.line(text);
  }

  stepStarted(step: Step, attempt: number): void {
    const again = attempt > 1 ? this.c.dim(` (attempt ${attempt})`) : "";
    this.line(`${this.c.cyan("▶")} ${this.c.bold(step.id)}  ${step.title}${again}`);
  }

  output(step: Step, line: string): void {
    this.line(this.c.dim(`  ${step.id} │ `) + line);
  }

  stepEnded(step: Step, end: StepEnd): void {
    this.waits.delete(step.id);
    const took = this.c.dim(`(${formatMs(end.durationMs)})`);
    const head = `${step.id}  ${step.title}`;
    switch (end.status) {
      case "done":
        this.line(`${this.c.green("✓")} ${head} ${took}${end.summary ? this.c.dim(`: ${end.summary}`) : ""}`);
        break;
      case "skipped":
        this.line(`${this.c.yellow("↷")} ${head} ${took}: skipped: ${end.reason}`);
        break;
      case "failed":
        this.line(
          `${this.c.red("✗")} ${head} ${took}: ${end.message}${end.retrying ? " (trying again)" : ""}`,
        );
        if (end.help) this.line(`    help: ${end.help}`);
        break;
      case "stopped":
        this.line(`${this.c.yellow("■")} ${head} ${took}: stopped: ${end.reason}`);
        break;
    }
  }

  progress(step: Step, progress: Progress): void {
    const wait = this.waits.get(step.id) ?? { step, progress };
    wait.progress = progress;
    this.waits.set(step.id, wait);
    if (this.sink.isTTY) {
      this.redraw();
      return;
    }
    const now = this.clock.now();
    if (wait.printedAt === undefined || now - wait.printedAt >= PROGRESS_LINE_EVERY_MS) {
      wait.printedAt = now;
      this.line(`  ${step.id} … ${describeProgress(progress)}`);
    }
  }

  summary(s: RunSummary): void {
    this.waits.clear();
    const word = { finished: "finished", failed: "failed", stopped: "stopped", aborted: "aborted" }[
      s.outcome
    ];
    const counts = `${s.done.length} done, ${s.skipped.length} skipped, ${s.failed.length} failed, ${s.remaining.length} remaining`;
    this.line("");
    this.line(`${this.c.bold(`Run of ${s.planId} ${word}`)}${s.reason ? `: ${s.reason}` : ""}`);
    this.line(`  ${counts}`);
    for (const k of s.skipped) this.line(`  skipped ${k.id}: ${k.reason}`);
    for (const f of s.failed) this.line(`  failed  ${f.id}: ${f.message}`);
    if (s.remaining.length > 0) {
      const shown = s.remaining.slice(0, 12).join(", ");
      const more = s.remaining.length > 12 ? ` and ${s.remaining.length - 12} more` : "";
      this.line(`  remaining: ${shown}${more}`);
      if (s.resumeCommand) this.line(`  to resume: ${s.resumeCommand}`);
    }
  }

  pause(): void {
    this.clearDrawn();
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.redraw();
  }

  private line(text: string): void {
    this.clearDrawn();
    this.sink.write(`${this.redactor.text(text)}\n`);
    this.redraw();
  }

  private clearDrawn(): void {
    if (this.drawn > 0) this.sink.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (!this.sink.isTTY || this.paused) return;
    this.clearDrawn();
    const lines = [...this.waits.values()].map(
      (w) => `${this.c.cyan("…")} ${w.step.id}  ${describeProgress(w.progress)}`,
    );
    for (const l of lines) this.sink.write(`${this.redactor.text(l)}\n`);
    this.drawn = lines.length;
  }
}

/** `consumer lag of telegraf*: 1204, waiting for 0, 12m left`. */
export function describeProgress(p: Progress): string {
  const left = p.remainingMs !== undefined ? `, ${formatMs(p.remainingMs)} left` : "";
  return `${p.what}: ${p.current}, waiting for ${p.target}${left}`;
}
