import { readFileSync } from "node:fs";
import type http from "node:http";
import { homedir } from "node:os";
import type { PlanSite } from "../../ir/schema.js";
import type { Secrets } from "../executor.js";
import { type ArgoAppStatus, toStatus } from "./argocd-status.js";
import {
  createAgent,
  displayUrl,
  type HttpTarget,
  httpError,
  type JsonResponse,
  joinUrl,
  requestJson,
  ServiceError,
} from "./http-json.js";

export type { ArgoAppStatus, ArgoOperation, SyncVerdict } from "./argocd-status.js";
export { isSyncedHealthy, judgeSync, toStatus } from "./argocd-status.js";

/**
 * Argo CD through its HTTP API (the one its web UI uses): log in, read an application, start a sync.
 * The API lives under the server's root path, so `https://summit-lsp.lsst.codes/argo-cd` is a valid base.
 */

export interface ArgoCallOptions {
  /** The Argo CD project the application must belong to; Argo CD refuses the call otherwise. */
  readonly project?: string;
  readonly signal?: AbortSignal;
}

/** The Argo CD of a site. Every method rejects with a ServiceError (a StepFailure) whose message has no secret. */
export interface ArgoCdClient {
  /** The base URL, as the site gives it. */
  readonly url: string;
  /** `GET /api/v1/applications/{app}`. */
  status(app: string, options?: ArgoCallOptions): Promise<ArgoAppStatus>;
  /** `POST /api/v1/applications/{app}/sync`: starts a sync and resolves once Argo CD accepted it. */
  sync(app: string, options?: ArgoCallOptions): Promise<ArgoAppStatus>;
  /** Releases the connections. */
  close(): void;
}

/** How to authenticate: a token, or a user whose password buys a session token. */
export type ArgoCredentials =
  | { readonly kind: "token"; readonly token: string; readonly from: string }
  | {
      readonly kind: "password";
      readonly username: string;
      readonly password: string;
      readonly from: string;
    };

/** What the client needs: the base URL, the trusted CA, and where the credentials come from. */
export interface ArgoCdClientOptions {
  readonly url: string;
  /** PEM of the only CA to trust; absent: the system's CAs. */
  readonly ca?: string | Buffer;
  /** Where the CA came from, for messages (a file path). */
  readonly caSource?: string;
  /** Called once, at the first request; throws a StepFailure when there are none. */
  readonly credentials: () => ArgoCredentials;
  readonly timeoutMs?: number;
}

const SERVICE = "Argo CD";

/** The Argo CD client over node's http/https. */
export class HttpArgoCdClient implements ArgoCdClient {
  readonly url: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly target: HttpTarget;
  private credentials?: ArgoCredentials;
  private sessionToken?: string;

  constructor(private readonly options: ArgoCdClientOptions) {
    this.url = options.url;
    this.base = parseBase(options.url);
    this.agent = createAgent(this.base, options.ca);
    this.target = {
      service: SERVICE,
      agent: this.agent,
      caSource: options.caSource,
      timeoutMs: options.timeoutMs ?? 30_000,
      secrets: () => {
        const c = this.credentials;
        const values = [this.sessionToken ?? ""];
        if (c?.kind === "token") values.push(c.token);
        if (c?.kind === "password") values.push(c.password);
        return values;
      },
    };
  }

  async status(app: string, options: ArgoCallOptions = {}): Promise<ArgoAppStatus> {
    const url = joinUrl(this.base, appPath(app), { project: options.project });
    const res = await this.authorized("GET", url, undefined, options.signal);
    return toStatus(app, res.body);
  }

  async sync(app: string, options: ArgoCallOptions = {}): Promise<ArgoAppStatus> {
    const url = joinUrl(this.base, `${appPath(app)}/sync`);
    const res = await this.authorized("POST", url, syncBody(app, options.project), options.signal);
    return toStatus(app, res.body);
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sends a request with the token; a session that expired is renewed once with the password. */
  private async authorized(method: "GET" | "POST", url: URL, body: unknown, signal?: AbortSignal) {
    let token = await this.token(signal);
    let res = await requestJson(this.target, { method, url, body, signal, headers: bearer(token) });
    if (res.status === 401 && this.credentials?.kind === "password") {
      this.sessionToken = undefined;
      token = await this.token(signal);
      res = await requestJson(this.target, { method, url, body, signal, headers: bearer(token) });
    }
    if (res.status >= 400) throw this.error(method, url, res);
    return res;
  }

  private async token(signal?: AbortSignal): Promise<string> {
    this.credentials ??= this.options.credentials();
    const c = this.credentials;
    if (c.kind === "token") return c.token;
    if (this.sessionToken) return this.sessionToken;
    const url = joinUrl(this.base, "/api/v1/session");
    const body = { username: c.username, password: c.password };
    const res = await requestJson(this.target, { method: "POST", url, body, signal });
    if (res.status === 401 || res.status === 403) {
      const e = this.error("POST", url, res);
      throw new ServiceError(
        `Argo CD refused the login of \`${c.username}\` (${c.from}): ${e.message}`,
        `check the user name and the password in ${c.from}`,
        false,
        res.status,
        e.code,
      );
    }
    if (res.status >= 400) throw this.error("POST", url, res);
    const token = record(res.body).token;
    if (typeof token !== "string" || token === "") {
      throw new ServiceError(
        `Argo CD accepted the login of \`${c.username}\` but gave no token`,
        undefined,
        false,
      );
    }
    this.sessionToken = token;
    return token;
  }

  private error(method: string, url: URL, res: JsonResponse): ServiceError {
    const body = record(res.body);
    const detail = str(body.message) ?? str(body.error);
    const where = `${method} ${displayUrl(url)}`;
    const e = httpError(
      this.target,
      where,
      res.status,
      detail,
      typeof body.code === "number" ? body.code : undefined,
    );
    if (res.status !== 401 || !this.credentials) return e;
    const help =
      this.credentials.kind === "token"
        ? `the token in ${this.credentials.from} was refused: it may have expired; get a new one`
        : `the session of \`${this.credentials.username}\` was refused even after logging in again`;
    return new ServiceError(e.message, help, false, e.status, e.code);
  }
}

/**
 * The client of a site's Argo CD. Credentials are read through `secrets` (which redacts them from all
 * output) at the first request: the token in `tokenEnv`, else the user and password in `usernameEnv` and
 * `passwordEnv`. The CA file (`~` is the home folder) is read now. Throws a StepFailure when the site has
 * no Argo CD, its URL is not http(s), or the CA file cannot be read.
 */
export function createArgoCdClient(
  site: PlanSite,
  secrets: Secrets,
  options: { readonly readFile?: (path: string) => string | Buffer; readonly timeoutMs?: number } = {},
): ArgoCdClient {
  const config = site.argocd;
  if (!config)
    throw new ServiceError(`site \`${site.name}\` has no Argo CD`, "add its URL to the site file", false);
  let ca: string | Buffer | undefined;
  const caFile = config.caFile ? expandHome(config.caFile) : undefined;
  if (caFile) {
    try {
      ca = (options.readFile ?? readFileSync)(caFile);
    } catch (e) {
      throw new ServiceError(
        `cannot read the CA certificate \`${caFile}\` of site \`${site.name}\`: ${(e as Error).message}`,
        "check `caFile` in the site file",
        false,
      );
    }
  }
  return new HttpArgoCdClient({
    url: config.url,
    ca,
    caSource: caFile,
    timeoutMs: options.timeoutMs,
    credentials: () => argoCredentials(site.name, config, secrets),
  });
}

/** Reads the credentials named by the site: a token first, else a user and password. */
export function argoCredentials(
  siteName: string,
  config: NonNullable<PlanSite["argocd"]>,
  secrets: Secrets,
): ArgoCredentials {
  const token = config.tokenEnv ? secrets.get(config.tokenEnv) : undefined;
  if (config.tokenEnv && token) return { kind: "token", token, from: `$${config.tokenEnv}` };
  const username = config.usernameEnv ? secrets.get(config.usernameEnv) : undefined;
  const password = config.passwordEnv ? secrets.get(config.passwordEnv) : undefined;
  if (username && password) return { kind: "password", username, password, from: `$${config.passwordEnv}` };
  const names = [config.tokenEnv, config.usernameEnv, config.passwordEnv].filter(Boolean).map((n) => `$${n}`);
  throw new ServiceError(
    names.length
      ? `no Argo CD credentials for site \`${siteName}\`: ${names.join(", ")} ${names.length > 1 ? "are" : "is"} not set`
      : `site \`${siteName}\` names no Argo CD credentials`,
    "set the token variable, or the user and password variables, that the site file names",
    false,
  );
}

/** The body of a sync request: the application, and the project it must belong to. */
export function syncBody(app: string, project?: string): Record<string, string> {
  return project ? { name: app, project } : { name: app };
}

/** `/api/v1/applications/<app>`, the name escaped. */
export function appPath(app: string): string {
  return `/api/v1/applications/${encodeURIComponent(app)}`;
}

function parseBase(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ServiceError(`\`${url}\` is not a URL`, "fix the Argo CD URL in the site file", false);
  }
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
