import type { Secrets } from "./executor.js";

/** What a secret is replaced with, everywhere the runtime prints or writes. */
export const MASK = "***";

/**
 * Replaces every known secret by `***` in text, wherever it appears (inside longer strings too), in the
 * forms it is likely to take on the way out: as is, URL-encoded, JSON-escaped and base64 (as in a Basic
 * authorization header). Secrets are added as they become known; text written before a secret was known
 * cannot be taken back, so the runtime registers the site's secrets before it writes anything.
 */
export class Redactor {
  private readonly forms = new Set<string>();
  private sorted: string[] = [];

  /**
   * Adds a secret value. Empty and whitespace-only values are ignored (they would mask everything).
   * NOTE: a very short secret masks every occurrence of those characters; that is ugly but never leaks.
   */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.trim() === "") return;
    const before = this.forms.size;
    for (const form of formsOf(secret)) if (form.length > 0) this.forms.add(form);
    if (this.forms.size !== before) {
      // Longest first, so that a secret that contains another is masked whole.
      this.sorted = [...this.forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    }
  }

  /** Whether any secret is known. */
  get active(): boolean {
    return this.sorted.length > 0;
  }

  /** The text with every known secret replaced by `***`. */
  text(text: string): string {
    if (this.sorted.length === 0) return text;
    let out = text;
    for (const form of this.sorted) {
      if (out.includes(form)) out = out.split(form).join(MASK);
    }
    return out;
  }

  /**
   * A deep copy of a JSON-like value with every string (keys included) redacted. Used on journal events
   * before they are serialized, so that no secret reaches the disk.
   */
  value<T>(value: T): T {
    if (this.sorted.length === 0) return value;
    return this.deep(value) as T;
  }

  private deep(value: unknown): unknown {
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.deep(v));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.text(k)] = this.deep(v);
      return out;
    }
    return value;
  }
}

function formsOf(secret: string): string[] {
  const forms = [secret, secret.trim()];
  forms.push(encodeURIComponent(secret));
  forms.push(JSON.stringify(secret).slice(1, -1));
  forms.push(Buffer.from(secret, "utf8").toString("base64"));
  return forms;
}

/**
 * Secrets read from an environment by name: every value read is added to the redactor before it is
 * returned, so that it is masked in everything written afterwards. An unset or empty variable gives
 * undefined.
 */
export function environmentSecrets(env: NodeJS.ProcessEnv, redactor: Redactor): Secrets {
  return {
    get(envName: string): string | undefined {
      const value = env[envName];
      if (value === undefined || value === "") return undefined;
      redactor.add(value);
      return value;
    },
  };
}

/**
 * The names of the environment variables whose values are secrets for this site: the Argo CD token and
 * password and the EFD password that the plan names, and those given with `--secret NAME`. The runtime
 * registers their values before it writes anything. (User names are not secrets.)
 */
export function siteSecretNames(
  site: { argocd?: { tokenEnv?: string; passwordEnv?: string }; efd?: { passwordEnv?: string } },
  extra: readonly string[] = [],
): string[] {
  const names = [site.argocd?.tokenEnv, site.argocd?.passwordEnv, site.efd?.passwordEnv, ...extra];
  return [...new Set(names.filter((n): n is string => Boolean(n)))].sort();
}
