import http from "node:http";
import https from "node:https";
import { StepFailure } from "../executor.js";

/**
 * The one HTTP layer of the runtime's HTTP services (Argo CD, the schema registry, the EFD), on node's own
 * http/https: JSON in and out, the site's CA as the only trust anchor when it gives one, and every failure
 * turned into a ServiceError whose message a person understands and which never carries a secret.
 */

/** A failure of a service, as a step failure: what went wrong, where, and whether trying again may help. */
export class ServiceError extends StepFailure {
  constructor(
    message: string,
    help: string | undefined,
    transient: boolean,
    /** The HTTP status, when the service answered. */
    readonly status?: number,
    /** The service's own error code (`error_code` of the registry, `code` of Argo CD), when it gave one. */
    readonly code?: number,
  ) {
    super(message, help, transient);
    this.name = "ServiceError";
  }
}

/** The service a client talks to, as the HTTP layer needs it. */
export interface HttpTarget {
  /** The service's name in messages: "Argo CD", "the schema registry", "the EFD". */
  readonly service: string;
  /** Values that must never appear in a message (tokens, passwords); each is replaced by `***`. */
  readonly secrets: () => readonly string[];
  /** The agent that holds the connections (and, for https, the trusted CA). */
  readonly agent: http.Agent;
  /** Where the CA came from, for the message when a server's certificate does not chain to it. */
  readonly caSource?: string;
  readonly timeoutMs: number;
}

/** One request: method, URL, headers and a body to send as JSON. */
export interface JsonRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialized as JSON; its content type is `contentType`, or application/json. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** The URL as messages show it, when the real one is too long to read (a query in its parameters). */
  readonly shownAs?: URL;
}

/** An answer of any status, its body parsed. */
export interface JsonResponse {
  readonly status: number;
  /** The parsed body; undefined when it was empty. */
  readonly body: unknown;
}

/**
 * Creates the agent of one client: keep-alive connections and, when `ca` is given, that CA as the only one
 * trusted (the system's roots are not). Destroy it to release the connections.
 */
export function createAgent(url: URL, ca?: string | Buffer): http.Agent {
  if (url.protocol === "https:") return new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
  if (url.protocol === "http:") return new http.Agent({ keepAlive: true });
  throw new ServiceError(
    `\`${url.href}\` is not an http or https URL`,
    "fix the URL in the site file",
    false,
  );
}

/** Joins a base URL that may carry a path prefix (`https://host/argo-cd`) and an absolute API path. */
export function joinUrl(base: URL, path: string, query?: Readonly<Record<string, string | undefined>>): URL {
  const url = new URL(base.href);
  url.pathname = base.pathname.replace(/\/+$/, "") + path;
  url.search = "";
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

/** Replaces every secret value in a text by `***`. Empty values are ignored. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("***");
  return out;
}

/**
 * Sends one request and parses the JSON answer. Resolves for any HTTP status (the caller decides what an
 * error status means, usually with `httpError`); rejects with a ServiceError when there is no answer
 * (refused, unknown host, untrusted certificate, timeout) or the answer is not JSON, and with the signal's
 * reason when the signal aborts.
 */
export function requestJson(target: HttpTarget, request: JsonRequest): Promise<JsonResponse> {
  const { url, signal } = request;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const headers: Record<string, string> = { accept: "application/json", ...request.headers };
  if (payload) {
    headers["content-type"] = request.contentType ?? "application/json";
    headers["content-length"] = String(payload.length);
  }
  const where = `${request.method} ${displayUrl(request.shownAs ?? url)}`;
  return new Promise<JsonResponse>((resolve, reject) => {
    const lib = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const req = lib.request(url, { method: request.method, headers, agent: target.agent });
    const onAbort = () => {
      req.destroy();
      finish(() => reject(signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.setTimeout(target.timeoutMs, () => {
      req.destroy();
      finish(() =>
        reject(
          new ServiceError(
            `${target.service} did not answer ${where} within ${Math.round(target.timeoutMs / 1000)}s`,
            "check that the service is up and reachable from here",
            true,
          ),
        ),
      );
    });
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish(() => reject(connectionError(target, where, error))),
    );
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => finish(() => reject(connectionError(target, where, error))));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (text.trim() === "") return finish(() => resolve({ status, body: undefined }));
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          const type = res.headers["content-type"] ?? "no content type";
          const start = scrub(text.slice(0, 120).replace(/\s+/g, " ").trim(), target.secrets());
          const message = `${target.service} answered ${where} with ${status} and a body that is not JSON (${type}): ${start}`;
          return finish(() =>
            reject(
              new ServiceError(
                message,
                "check the URL in the site file: is it the API's address?",
                status >= 500,
                status,
              ),
            ),
          );
        }
        finish(() => resolve({ status, body }));
      });
    });
    if (payload) req.write(payload);
    req.end();
  });
}

/** What to do about a status, in words; whether trying again may help. */
const STATUS_HELP: Record<number, { what: string; help: string; transient: boolean }> = {
  400: { what: "bad request", help: "the request was refused as it is; see the message", transient: false },
  401: { what: "unauthorized", help: "check the credentials named in the site file", transient: false },
  403: {
    what: "forbidden",
    help: "the account lacks the permission; ask the service's administrators",
    transient: false,
  },
  404: { what: "not found", help: "check the name and the URL in the site file", transient: false },
  409: { what: "conflict", help: "see the message", transient: false },
  415: { what: "unsupported media type", help: "this is a bug of plan; please report it", transient: false },
  422: { what: "unprocessable", help: "the value was refused; see the message", transient: false },
  429: { what: "too many requests", help: "wait a little and try again", transient: true },
};

/**
 * The ServiceError for an answer with an error status: the service's own message (`detail`, secrets
 * scrubbed) after the status. 5xx, 429 and gateway errors are transient; other statuses are not.
 */
export function httpError(
  target: HttpTarget,
  where: string,
  status: number,
  detail?: string,
  code?: number,
): ServiceError {
  const known = STATUS_HELP[status];
  const what = known?.what ?? (status >= 500 ? "server error" : "error");
  const transient = known?.transient ?? status >= 500;
  const help =
    known?.help ??
    (status >= 500 ? "the service failed; it may recover, look at its logs" : "see the message");
  const said = detail ? `: ${scrub(detail, target.secrets())}` : "";
  return new ServiceError(
    `${target.service} answered ${status} (${what}) to ${where}${said}`,
    help,
    transient,
    status,
    code,
  );
}

/** `GET https://host/path?query` as shown in messages. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}

const TLS_TRUST_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function connectionError(target: HttpTarget, where: string, error: NodeJS.ErrnoException): ServiceError {
  const code = error.code ?? "";
  if (TLS_TRUST_CODES.has(code)) {
    const anchor = target.caSource ? `the site's CA (${target.caSource})` : "the system's trusted CAs";
    return new ServiceError(
      `refused ${target.service} at ${where}: its certificate is not trusted by ${anchor} (${error.message})`,
      target.caSource
        ? "check that `caFile` in the site file is the CA that signs this server's certificate"
        : "give the site's CA certificate as `caFile` in the site file",
      false,
    );
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "unknown host",
    EAI_AGAIN: "the host name could not be resolved now",
    ECONNRESET: "the connection was reset",
    EHOSTUNREACH: "the host is unreachable",
    ENETUNREACH: "the network is unreachable",
    ETIMEDOUT: "the connection timed out",
    EPIPE: "the connection was closed",
  };
  const reason = reasons[code] ?? scrub(error.message, target.secrets());
  return new ServiceError(
    `cannot reach ${target.service} for ${where}: ${reason}`,
    "check that the service is up, that the URL in the site file is right, and that this machine can reach it (VPN?)",
    true,
  );
}
