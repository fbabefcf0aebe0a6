import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { AnswersOperator, parseAnswers } from "../../../src/runtime/answers.js";
import { describeProgress, TextDisplay } from "../../../src/runtime/display.js";
import { RunAborted, StepFailure } from "../../../src/runtime/executor.js";
import {
  NeedsOperator,
  NonInteractiveOperator,
  operatorName,
  type RuntimeQuestion,
  ScriptedOperator,
} from "../../../src/runtime/operator.js";
import { TerminalOperator } from "../../../src/runtime/operator-terminal.js";
import { environmentSecrets, MASK, Redactor, siteSecretNames } from "../../../src/runtime/redact.js";
import { FakeClock, RecordingOperator } from "../context.js";

const signal = new AbortController().signal;
const manual = (stepId: string): RuntimeQuestion => ({
  stepId,
  title: "Do it",
  details: [],
  choices: ["done", "skip", "abort"],
});
const confirm = (stepId: string): RuntimeQuestion => ({
  kind: "confirm",
  stepId,
  title: "Sure?",
  details: [],
  choices: ["yes", "skip", "abort"],
});
const resume = (stepId: string): RuntimeQuestion => ({
  kind: "resume",
  stepId,
  title: "Did it?",
  details: [],
  choices: ["yes", "no", "abort"],
});

describe("Redactor", () => {
  it("masks every known secret wherever it appears, longest first, and in its encoded forms", () => {
    const r = new Redactor();
    r.add("pa$$word");
    r.add("pa$$");
    r.add("  ");
    expect(r.text("user=ana password=pa$$word; again pa$$wordpa$$word")).toBe(
      `user=ana password=${MASK}; again ${MASK}${MASK}`,
    );
    expect(r.text("x=pa%24%24word")).toBe(`x=${MASK}`);
    expect(r.text(`header ${Buffer.from("pa$$word").toString("base64")}`)).toBe(`header ${MASK}`);
    expect(r.text("no secret here")).toBe("no secret here");
  });

  it("masks inside nested values, keys included", () => {
    const r = new Redactor();
    r.add('tok"en');
    expect(r.value({ a: ['say tok"en'], 'tok"en': 1, n: 3 })).toEqual({
      a: [`say ${MASK}`],
      [MASK]: 1,
      n: 3,
    });
  });

  it("registers the values read through Secrets, and names the site's secret variables", () => {
    const r = new Redactor();
    const secrets = environmentSecrets({ ARGO_TOKEN: "abc123xyz", EMPTY: "" }, r);
    expect(r.text("abc123xyz")).toBe("abc123xyz");
    expect(secrets.get("ARGO_TOKEN")).toBe("abc123xyz");
    expect(secrets.get("EMPTY")).toBeUndefined();
    expect(r.text("Bearer abc123xyz")).toBe(`Bearer ${MASK}`);
    const site = {
      argocd: { tokenEnv: "ARGO_TOKEN", passwordEnv: "ARGO_PW" },
      efd: { passwordEnv: "EFD_PW" },
    };
    expect(siteSecretNames(site, ["EXTRA", "ARGO_TOKEN"])).toEqual([
      "ARGO_PW",
      "ARGO_TOKEN",
      "EFD_PW",
      "EXTRA",
    ]);
  });
});

describe("the answers file", () => {
  const text = `
by: Jane Doe
steps:
  default: done
  1.10: { skip: "the camera is already off" }
  "5.2": abort
questions:
  default: yes
  "3.1": { skip: "not tonight" }
resume:
  "3.4": no
`;

  it("answers by step id, with defaults, keeping ids like 1.10 as written", async () => {
    const parsed = parseAnswers(text);
    if (!parsed.ok) throw new Error(parsed.problem);
    const op = new AnswersOperator(parsed.answers, "os-user");
    expect(await op.ask(manual("1.1"), signal)).toEqual({ answer: "done", by: "Jane Doe" });
    expect(await op.ask(manual("1.10"), signal)).toEqual({
      answer: "skip",
      reason: "the camera is already off",
      by: "Jane Doe",
    });
    expect(await op.ask(manual("5.2"), signal)).toEqual({ answer: "abort", by: "Jane Doe" });
    expect(await op.ask(confirm("2.2"), signal)).toEqual({ answer: "yes", by: "Jane Doe" });
    expect(await op.ask(confirm("3.1"), signal)).toEqual({
      answer: "skip",
      reason: "not tonight",
      by: "Jane Doe",
    });
    expect(await op.ask(resume("3.4"), signal)).toEqual({ answer: "no", by: "Jane Doe" });
  });

  it("hands what it does not answer to the fallback, or stops the run", async () => {
    const parsed = parseAnswers("steps:\n  '1.1': done\n");
    if (!parsed.ok) throw new Error(parsed.problem);
    await expect(new AnswersOperator(parsed.answers, "me").ask(manual("1.2"), signal)).rejects.toBeInstanceOf(
      NeedsOperator,
    );
    await expect(new AnswersOperator(parsed.answers, "me").ask(resume("1.1"), signal)).rejects.toThrow(
      "step 1.1 needs an operator's answer, and the answers file has no answer for it",
    );
    const fallback = new RecordingOperator([{ answer: "done", by: "at the terminal" }]);
    expect(await new AnswersOperator(parsed.answers, "me", fallback).ask(manual("1.2"), signal)).toEqual({
      answer: "done",
      by: "at the terminal",
    });
  });

  it("refuses an answer the question does not offer", async () => {
    const parsed = parseAnswers("questions:\n  default: no\n");
    if (!parsed.ok) throw new Error(parsed.problem);
    await expect(
      new AnswersOperator(parsed.answers, "me").ask(confirm("2.1"), signal),
    ).rejects.toBeInstanceOf(StepFailure);
  });

  it("reports a malformed file with the place", () => {
    expect(parseAnswers("steps: [1, 2")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("not YAML"),
    });
    expect(parseAnswers("steps:\n  '1.1': maybe\n")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("at steps.1.1"),
    });
    expect(parseAnswers("steps:\n  '1.1': { skip: '' }\n")).toMatchObject({ ok: false });
    expect(parseAnswers("colour: blue\n")).toMatchObject({ ok: false });
    expect(parseAnswers("")).toEqual({ ok: true, answers: {} });
  });
});

describe("operators", () => {
  it("the non-interactive operator stops the run at the first question", async () => {
    await expect(new NonInteractiveOperator().ask(manual("2.3"))).rejects.toThrow(
      "step 2.3 needs an operator's answer, and there is no terminal to ask on (give answers with --answers <file>)",
    );
  });

  it("the scripted operator says done and yes", async () => {
    const op = new ScriptedOperator();
    expect((await op.ask(manual("1.1"))).answer).toBe("done");
    expect((await op.ask(confirm("1.1"))).answer).toBe("yes");
    expect((await op.ask(resume("1.1"))).answer).toBe("yes");
  });

  it("names the operator from PLAN_OPERATOR, else the OS user", () => {
    expect(operatorName({ PLAN_OPERATOR: " Jane " })).toBe("Jane");
    expect(operatorName({})).not.toBe("");
  });

  it("the terminal operator shows the details, offers the choices and asks a skip's reason", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (d) => {
      shown += d.toString();
    });
    const written: string[] = [];
    const op = new TerminalOperator({ input, output, write: (t) => written.push(t) }, "ana");
    const asked = op.ask({ ...manual("2.3"), details: ["Turn the key"] }, signal);
    await new Promise((r) => setTimeout(r, 50));
    input.write("\x1b[B"); // down: skip
    input.write("\r");
    await new Promise((r) => setTimeout(r, 50));
    input.write("lamp broken\r");
    expect(await asked).toEqual({ answer: "skip", reason: "lamp broken", by: "ana" });
    expect(written.join("")).toContain("── step 2.3: Do it\n   Turn the key\n");
    expect(shown).toContain("Done");
  });

  it("the terminal operator turns Ctrl-C at the prompt into an abort of the run", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const op = new TerminalOperator({ input, output, write: () => {} }, "ana");
    const asked = op.ask(manual("2.3"), signal);
    await new Promise((r) => setTimeout(r, 50));
    input.write("\x03");
    await expect(asked).rejects.toBeInstanceOf(RunAborted);
  });
});

describe("the display", () => {
  it("prints a wait's progress every so often when not on a terminal, and redacts", () => {
    const clock = new FakeClock(0);
    const out: string[] = [];
    const redactor = new Redactor();
    redactor.add("hunter2");
    const d = new TextDisplay({ write: (t) => out.push(t) }, clock, redactor);
    const step = { id: "3.1", title: "Wait for lag" } as never;
    const p = { what: "lag of telegraf*", current: "1204", target: "0", remainingMs: 600_000 };
    d.progress(step, p);
    clock.now = () => 10_000;
    d.progress(step, { ...p, current: "800" });
    clock.now = () => 31_000;
    d.progress(step, { ...p, current: "300 hunter2" });
    expect(out.join("")).toBe(
      "  3.1 … lag of telegraf*: 1204, waiting for 0, 10m left\n  3.1 … lag of telegraf*: 300 ***, waiting for 0, 10m left\n",
    );
  });

  it("redraws waits in place on a terminal", () => {
    const out: string[] = [];
    const d = new TextDisplay({ write: (t) => out.push(t), isTTY: true }, new FakeClock(0), new Redactor());
    const step = { id: "3.1", title: "Wait" } as never;
    d.progress(step, { what: "w", current: "1", target: "0" });
    d.progress(step, { what: "w", current: "0", target: "0" });
    expect(out).toEqual(["… 3.1  w: 1, waiting for 0\n", "\x1b[1A\x1b[0J", "… 3.1  w: 0, waiting for 0\n"]);
    expect(describeProgress({ what: "w", current: "1", target: "0", remainingMs: 90_000 })).toBe(
      "w: 1, waiting for 0, 1m 30s left",
    );
  });
});
