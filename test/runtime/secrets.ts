import { expect } from "vitest";
import type { Secrets } from "../../src/runtime/executor.js";

/** Secrets from a fixed environment, recording every value read, as the runtime registers them for redaction. */
export class RecordingSecrets implements Secrets {
  readonly read = new Set<string>();
  constructor(private readonly env: Readonly<Record<string, string>>) {}
  get(name: string): string | undefined {
    const value = this.env[name];
    if (value !== undefined) this.read.add(value);
    return value;
  }
}

/** Everything a failure says: its message and its help. */
export function said(e: unknown): string {
  const error = e as { message?: string; help?: string };
  return `${error.message ?? String(e)}\n${error.help ?? ""}`;
}

/** Fails when any of the texts contains any of the secrets. */
export function expectNoSecrets(texts: readonly string[], secrets: Iterable<string>): void {
  const all = texts.join("\n");
  for (const secret of secrets)
    expect(all.includes(secret), `a secret leaked into: ${all.slice(0, 400)}`).toBe(false);
}
