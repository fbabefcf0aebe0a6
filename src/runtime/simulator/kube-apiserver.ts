import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { KubeCluster, type KubeClusterOptions } from "./kube-cluster.js";
import { discovery } from "./kube-discovery.js";
import { DEPLOYMENTS, PODS, type ResourceType, subjectOf } from "./kube-objects.js";
import {
  deleted,
  forbidden,
  methodNotAllowed,
  noSuchPath,
  statusError,
  unauthorized,
} from "./kube-status.js";
import {
  deleteOptions,
  listOf,
  parseOrText,
  patchFor,
  readBody,
  requireBodyType,
  toHttpError,
} from "./kube-wire.js";
import { type KubeconfigContext, writeKubeconfig } from "./kubeconfig.js";
import { parseSelector } from "./label-selector.js";

/**
 * A Kubernetes API server double over HTTP(S) on 127.0.0.1: the real REST paths and JSON shapes that
 * @kubernetes/client-node and kubectl use, over the stateful KubeCluster, with bearer-token users, RBAC
 * refusals and faults to order, and a log of every request so tests assert the exact calls.
 */

/** One request, as the double received it and answered it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters, in the order sent. */
  readonly query: Readonly<Record<string, string>>;
  /** The media type of the body (without parameters), or undefined. */
  readonly contentType: string | undefined;
  /** The body: parsed JSON, the text when it is not JSON, undefined when there is none. */
  readonly body: unknown;
  /** The user the bearer token maps to. */
  readonly user: string;
  /** The HTTP status answered; 0 when a fault dropped or held the connection. */
  status: number;
}

export type Verb = "get" | "list" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** Requests to refuse with 403 Forbidden: every given field must match. */
export interface ForbidRule {
  readonly verb?: Verb;
  readonly group?: string;
  /** The plural: `deployments`. */
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly user?: string;
}

/** A fault to inject on matching requests, before anything else is done with them. */
export interface Fault {
  readonly method?: string;
  /** The path, or a pattern of it. */
  readonly path?: string | RegExp;
  /** `status` answers with a Status of `status` (default 500 InternalError); `reset` drops the connection; `hang` never answers. */
  readonly mode?: "status" | "reset" | "hang";
  readonly status?: number;
  readonly reason?: string;
  readonly message?: string;
  /** How many requests it hits (default 1; Infinity for all). */
  readonly times?: number;
}

export interface KubeApiServerOptions extends KubeClusterOptions {
  /** The cluster to serve; default a new, empty one made with these options. */
  readonly cluster?: KubeCluster;
  /** Bearer tokens and the users they stand for; when given, any other token is answered 401. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Serve https with this certificate (e.g. the simulated site's, in src/runtime/simulator/tls). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

interface Target {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly rules: ForbidRule[] = [];
  private readonly faults: { fault: Fault; left: number }[] = [];

  private constructor(
    readonly cluster: KubeCluster,
    private readonly server: Server,
    readonly url: string,
    private readonly tokens: Readonly<Record<string, string>> | undefined,
  ) {}

  /** Starts a double on 127.0.0.1, on a port the OS picks. */
  static async start(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const cluster = options.cluster ?? new KubeCluster(options);
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
    const server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, (q, s) => handler(q, s))
      : createHttpServer((q, s) => handler(q, s));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const api = new KubeApiServer(
      cluster,
      server,
      `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
      options.tokens,
    );
    // A request that breaks off while its body is read has no one to answer.
    handler = (req, res) => void api.handle(req, res).catch(() => res.destroy());
    return api;
  }

  /** The requests as `METHOD /path?decoded=query`, in order: what tests compare. */
  calls(): string[] {
    return this.requests.map((r) => {
      const query = Object.entries(r.query).map(([k, v]) => `${k}=${v}`);
      return `${r.method} ${r.path}${query.length ? `?${query.join("&")}` : ""}`;
    });
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Refuses matching requests with 403 Forbidden, as RBAC would. */
  forbid(rule: ForbidRule): void {
    this.rules.push(rule);
  }

  /** Fails the next matching requests as the fault says. */
  injectFault(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** Writes a kubeconfig with one context that points at this server; returns its path. */
  writeKubeconfig(path: string, context: Omit<KubeconfigContext, "server">): Promise<string> {
    return writeKubeconfig(path, { ...context, server: this.url });
  }

  /** Stops listening and drops every connection, held ones included. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const contentType = req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    const body = await readBody(req);
    const raw = body ?? "";
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      contentType: raw ? contentType : undefined,
      body: raw ? parseOrText(raw) : undefined,
      user: this.userOf(req) ?? "system:anonymous",
      status: 0,
    };
    this.requests.push(record);
    const fault = this.takeFault(method, url.pathname);
    if (fault?.mode === "reset") return void req.socket.destroy();
    if (fault?.mode === "hang") return;
    let status = 200;
    let answer: unknown;
    try {
      if (body === undefined) throw statusError(413, "RequestEntityTooLarge", "the request is too large");
      if (fault)
        throw statusError(
          fault.status ?? 500,
          fault.reason ?? "InternalError",
          fault.message ?? "Internal error occurred: injected fault",
        );
      if (this.tokens && this.userOf(req) === undefined) throw unauthorized();
      this.cluster.settle();
      const served = this.serve(method, url, contentType, raw, record.user);
      status = served.status;
      answer = served.body;
    } catch (e) {
      const error = toHttpError(e);
      status = error.status.code;
      answer = error.status;
    }
    record.status = status;
    const text = JSON.stringify(answer);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  private serve(
    method: string,
    url: URL,
    contentType: string | undefined,
    raw: string,
    user: string,
  ): { status: number; body: unknown } {
    if (method === "GET") {
      const doc = discovery(
        url.pathname.replace(/\/$/, ""),
        this.cluster.store.allTypes(),
        this.url.replace(/^https?:\/\//, ""),
      );
      if (doc !== undefined) return { status: 200, body: doc };
    }
    const target = this.target(url.pathname);
    const verb = verbOf(method, target);
    this.authorize(verb, target, user);
    const q = url.searchParams;
    const { type, namespace, name } = target;
    const selector = () => parseSelector(q.get("labelSelector") ?? "");
    if (target.subresource !== undefined) {
      if (
        type !== DEPLOYMENTS ||
        target.subresource !== "scale" ||
        name === undefined ||
        namespace === undefined
      )
        throw noSuchPath();
      if (verb === "get") return { status: 200, body: this.cluster.apiGetScale(namespace, name) };
      if (verb !== "patch") throw methodNotAllowed(method);
      const apply = patchFor(contentType, raw, type, q);
      return { status: 200, body: this.cluster.apiPatchScale(namespace, name, apply) };
    }
    switch (verb) {
      case "list":
        if (q.get("watch") === "true" || q.get("watch") === "1")
          throw statusError(400, "BadRequest", "the simulated API server does not serve watches");
        return {
          status: 200,
          body: listOf(
            type,
            this.cluster.apiList(type, namespace, selector()),
            this.cluster.store.resourceVersion(),
          ),
        };
      case "get":
        return { status: 200, body: this.cluster.apiGet(type, namespace, name!) };
      case "create":
        requireBodyType(contentType);
        return { status: 201, body: this.cluster.apiCreate(type, namespace, JSON.parse(raw || "null")) };
      case "update":
        requireBodyType(contentType);
        return {
          status: 200,
          body: this.cluster.apiReplace(type, namespace, name!, JSON.parse(raw || "null")),
        };
      case "patch":
        return {
          status: 200,
          body: this.cluster.apiPatch(type, namespace, name!, patchFor(contentType, raw, type, q)),
        };
      case "delete": {
        const options = deleteOptions(q, raw);
        const gone = this.cluster.apiDelete(type, namespace, name!, options);
        return {
          status: 200,
          body: type === PODS ? gone : deleted(subjectOf(type, name), gone.metadata.uid ?? ""),
        };
      }
      case "deletecollection": {
        const options = deleteOptions(q, raw);
        const gone = this.cluster.apiDeleteCollection(type, namespace, selector(), options.propagationPolicy);
        return { status: 200, body: listOf(type, gone, this.cluster.store.resourceVersion()) };
      }
    }
  }

  private target(pathname: string): Target {
    const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 2) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
    else if (parts[0] === "apis" && parts.length >= 3)
      [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else throw noSuchPath();
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = this.cluster.typeOf(group, version, rest[2]!);
      if (!type?.namespaced || rest.length > 5) throw noSuchPath();
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const type = this.cluster.typeOf(group, version, rest[0] ?? "");
    if (!type || rest.length > 3 || (type.namespaced && rest.length > 1)) throw noSuchPath();
    return { type, namespace: undefined, name: rest[1], subresource: rest[2] };
  }

  private authorize(verb: Verb, t: Target, user: string): void {
    const hit = this.rules.find(
      (r) =>
        (r.verb === undefined || r.verb === verb) &&
        (r.group === undefined || r.group === t.type.group) &&
        (r.resource === undefined || r.resource === t.type.plural) &&
        (r.subresource === undefined || r.subresource === t.subresource) &&
        (r.namespace === undefined || r.namespace === t.namespace) &&
        (r.user === undefined || r.user === user),
    );
    if (hit) throw forbidden(subjectOf(t.type, t.name), user, verb, t.subresource, t.namespace);
  }

  private userOf(req: IncomingMessage): string | undefined {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!this.tokens) return "kubernetes-admin";
    return token !== undefined ? this.tokens[token] : undefined;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(
      ({ fault, left }) =>
        left > 0 &&
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        (fault.path === undefined ||
          (typeof fault.path === "string" ? fault.path === path : fault.path.test(path))),
    );
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  }
}

function verbOf(method: string, t: Target): Verb {
  const item = t.name !== undefined;
  if (method === "GET") return item ? "get" : "list";
  if (method === "POST" && !item) return "create";
  if (method === "PUT" && item) return "update";
  if (method === "PATCH" && item) return "patch";
  if (method === "DELETE") return item ? "delete" : "deletecollection";
  throw methodNotAllowed(method);
}
