import { randomBytes } from "node:crypto";
import type { Clock } from "../executor.js";
import { type AppState, toJson, view } from "./argocd-app.js";
import { type DoubleRequest, type DoubleResponse, Events, HttpDouble, REDACTED } from "./http-double.js";
import { simulatorTls } from "./tls.js";

/**
 * A double of Argo CD's HTTP API over HTTPS (the simulated site's certificate): session login, reading an
 * application, syncing it. A sync is requested, started, applied and then becomes healthy, each after a
 * delay of the injected clock; a fault makes the sync fail or the application stay Degraded.
 * Time moves when the double looks at it: at every request, at `settle()`, and every `settleEveryMs` when
 * that option is given (for a site served to people, not for tests with a fake clock).
 */

export type ArgoFault = "degraded" | "sync-failed";

/** An application to put in the double, with its timings and its fault. */
export interface ArgoAppSeed {
  readonly name: string;
  readonly project?: string;
  readonly sync?: "Synced" | "OutOfSync" | "Unknown";
  readonly health?: "Healthy" | "Progressing" | "Degraded" | "Missing" | "Suspended" | "Unknown";
  readonly revision?: string;
  /** Delay between the sync request and the controller starting it; default 1 s. */
  readonly pickupMs?: number;
  /** How long the sync applies; default 5 s. */
  readonly syncMs?: number;
  /** How long after the sync it takes to become Healthy (or Degraded); default 10 s. */
  readonly healthMs?: number;
  readonly fault?: ArgoFault;
  /** Argo CD's message for the fault. */
  readonly faultMessage?: string;
}

/** An application as the double holds it. */
export interface ArgoAppView {
  readonly name: string;
  readonly project: string;
  readonly sync: string;
  readonly health: string;
  readonly healthMessage?: string;
  readonly revision: string;
  readonly operationPending: boolean;
  readonly operation?: {
    readonly phase: string;
    readonly message: string;
    readonly startedAt: number;
    readonly finishedAt?: number;
  };
}

/** What happened to an application, when (on the double's clock), and how it is now. */
export interface ArgoAppChange {
  readonly app: string;
  readonly at: number;
  readonly what:
    | "seeded"
    | "changed"
    | "sync-requested"
    | "sync-started"
    | "synced"
    | "sync-failed"
    | "healthy"
    | "degraded";
  readonly view: ArgoAppView;
}

/** The double's clock, accounts and root path. */
export interface ArgoCdServerOptions {
  readonly clock: Clock;
  /** Users who may log in, with their passwords. */
  readonly users?: Readonly<Record<string, string>>;
  /** Tokens accepted as they are (API tokens of accounts). */
  readonly tokens?: readonly string[];
  /** Where the API lives, like Argo CD's `--rootpath`: `/argo-cd`. */
  readonly rootPath?: string;
  readonly settleEveryMs?: number;
}

const NOT_FOUND = { error: "Not Found", code: 5, message: "Not Found" };

/** The Argo CD double. Emits a `change` event for every change of an application. */
export class ArgoCdServer extends HttpDouble {
  readonly events = new Events<{ change: ArgoAppChange }>();
  private readonly apps = new Map<string, AppState>();
  private readonly sessions = new Set<string>();
  private readonly issued: string[] = [];
  private readonly root: string;
  private readonly background = new AbortController();

  constructor(private readonly options: ArgoCdServerOptions) {
    const tls = simulatorTls();
    super({ key: tls.key, cert: tls.cert });
    this.root = (options.rootPath ?? "").replace(/\/+$/, "");
    if (options.settleEveryMs) void this.settleLoop(options.settleEveryMs);
  }

  /** Adds or replaces an application (OutOfSync and Healthy unless told otherwise). */
  seed(app: ArgoAppSeed): void {
    const health = app.health ?? "Healthy";
    this.apps.set(app.name, {
      name: app.name,
      project: app.project ?? "default",
      sync: app.sync ?? "OutOfSync",
      health,
      previousHealth: health,
      revision: app.revision ?? "0000000",
      operationPending: false,
      seed: app,
      timeline: [],
    });
    this.changed(app.name, "seeded");
  }

  /** Changes an application: it goes OutOfSync after a new commit, a fault is added or cleared. */
  setApp(
    name: string,
    patch: Partial<Pick<ArgoAppSeed, "sync" | "health" | "fault" | "faultMessage" | "revision">>,
  ): void {
    const app = this.must(name);
    if (patch.sync) app.sync = patch.sync;
    if (patch.health) app.health = patch.health;
    if (patch.revision) app.revision = patch.revision;
    app.seed = { ...app.seed, ...patch };
    this.changed(name, "changed");
  }

  /** An application as it is now (after applying what is due). */
  app(name: string): ArgoAppView {
    this.settle();
    return view(this.must(name));
  }

  /** The session tokens handed out so far, for tests that check that none leaks. */
  issuedTokens(): readonly string[] {
    return [...this.issued];
  }

  /** Forgets every session token, as when sessions expire; API tokens stay valid. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Applies every transition that is due on the clock, in time order, emitting their events. */
  settle(): void {
    const now = this.options.clock.now();
    for (;;) {
      let next: { app: AppState; at: number } | undefined;
      for (const app of this.apps.values()) {
        const first = app.timeline[0];
        if (first && first.at <= now && (!next || first.at < next.at)) next = { app, at: first.at };
      }
      if (!next) return;
      const step = next.app.timeline.shift()!;
      step.apply();
      this.changed(next.app.name, step.what, step.at);
    }
  }

  protected override stopped(): void {
    this.background.abort();
  }

  protected override recordBody(req: DoubleRequest, body: unknown): unknown {
    if (req.path.endsWith("/api/v1/session") && body && typeof body === "object" && "password" in body) {
      return { ...body, password: REDACTED };
    }
    return body;
  }

  protected handle(req: DoubleRequest): DoubleResponse {
    this.settle();
    if (!req.path.startsWith(`${this.root}/api/v1/`)) return { status: 404, text: "404 page not found\n" };
    const path = req.path.slice(this.root.length);
    if (path === "/api/v1/session" && req.method === "POST") return this.login(req);
    const unauthorized = this.checkToken(req);
    if (unauthorized) return unauthorized;
    const m = /^\/api\/v1\/applications\/([^/]+)(\/sync)?$/.exec(path);
    if (!m) return { status: 404, json: NOT_FOUND };
    const name = decodeURIComponent(m[1]!);
    const app = this.apps.get(name);
    if (!app) {
      const message = `applications.argoproj.io "${name}" not found`;
      return { status: 404, json: { error: message, code: 5, message } };
    }
    const project = m[2] ? (req.json as { project?: string } | undefined)?.project : req.query.get("project");
    if (project && project !== app.project) {
      const message = `permission denied: applications, ${m[2] ? "sync" : "get"}, ${project}/${name}`;
      return { status: 403, json: { error: message, code: 7, message } };
    }
    if (!m[2] && req.method === "GET") return { status: 200, json: toJson(app) };
    if (m[2] && req.method === "POST") return this.sync(app);
    return { status: 405, json: { error: "Method Not Allowed", code: 12, message: "Method Not Allowed" } };
  }

  private login(req: DoubleRequest): DoubleResponse {
    const body = (req.json ?? {}) as { username?: unknown; password?: unknown };
    const users = this.options.users ?? {};
    const ok =
      typeof body.username === "string" &&
      Object.hasOwn(users, body.username) &&
      users[body.username] === body.password;
    if (!ok) {
      const message = "Invalid username or password";
      return { status: 401, json: { error: message, code: 16, message } };
    }
    const token = randomBytes(24).toString("base64url");
    this.sessions.add(token);
    this.issued.push(token);
    return { status: 200, json: { token } };
  }

  private checkToken(req: DoubleRequest): DoubleResponse | undefined {
    const header = req.headers.authorization ?? "";
    const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    const token = header.startsWith("Bearer ") ? header.slice(7) : cookie;
    if (token && (this.sessions.has(token) || (this.options.tokens ?? []).includes(token))) return undefined;
    const message = token ? "invalid session: token signature is invalid" : "no session information";
    return { status: 401, json: { error: message, code: 16, message } };
  }

  private sync(app: AppState): DoubleResponse {
    if (app.operationPending) {
      const message = "another operation is already in progress";
      return { status: 400, json: { error: message, code: 9, message } };
    }
    const now = this.options.clock.now();
    const seed = app.seed;
    const start = now + (seed.pickupMs ?? 1000);
    const applied = start + (seed.syncMs ?? 5000);
    const settled = applied + (seed.healthMs ?? 10_000);
    app.operationPending = true;
    app.previousHealth = app.health;
    app.timeline = [
      {
        at: start,
        what: "sync-started",
        apply: () => {
          app.operation = { phase: "Running", message: "one or more tasks are running", startedAt: start };
          app.health = "Progressing";
          app.healthMessage = undefined;
        },
      },
      {
        at: applied,
        what: seed.fault === "sync-failed" ? "sync-failed" : "synced",
        apply: () => {
          app.operationPending = false;
          if (seed.fault === "sync-failed") {
            const message =
              seed.faultMessage ??
              `one or more objects failed to apply, reason: Deployment.apps "${app.name}" is invalid: spec.template.spec.containers[0].image: Required value`;
            app.operation = { phase: "Failed", message, startedAt: start, finishedAt: applied };
            app.health = app.previousHealth;
            return;
          }
          app.operation = {
            phase: "Succeeded",
            message: "successfully synced (all tasks run)",
            startedAt: start,
            finishedAt: applied,
          };
          app.sync = "Synced";
        },
      },
    ];
    if (seed.fault !== "sync-failed") {
      app.timeline.push({
        at: settled,
        what: seed.fault === "degraded" ? "degraded" : "healthy",
        apply: () => {
          app.health = seed.fault === "degraded" ? "Degraded" : "Healthy";
          app.healthMessage =
            seed.fault === "degraded"
              ? (seed.faultMessage ?? `Deployment "${app.name}" exceeded its progress deadline`)
              : undefined;
        },
      });
    }
    this.changed(app.name, "sync-requested", now);
    return { status: 200, json: toJson(app) };
  }

  private changed(name: string, what: ArgoAppChange["what"], at = this.options.clock.now()): void {
    this.events.emit("change", { app: name, at, what, view: view(this.must(name)) });
  }

  private must(name: string): AppState {
    const app = this.apps.get(name);
    if (!app) throw new Error(`the Argo CD double has no application ${name}`);
    return app;
  }

  private async settleLoop(every: number): Promise<void> {
    const signal = this.background.signal;
    while (!signal.aborted) {
      try {
        await this.options.clock.sleep(every, signal);
      } catch {
        return;
      }
      this.settle();
    }
  }
}
