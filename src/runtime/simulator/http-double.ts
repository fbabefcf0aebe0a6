import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

/**
 * What the HTTP doubles of the simulated site share: a server on 127.0.0.1 at a port the OS picks, a log
 * of every request in order (secrets left out), injected failures, typed events, and a clean stop.
 */

/** One request as a double received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path, with any root prefix, without the query. */
  readonly path: string;
  /** The query parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names; the values of authorization and cookie headers are `<redacted>`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed JSON, or the text, or undefined when empty; secrets in it are `<redacted>`. */
  readonly body: unknown;
}

/** A request, as a handler sees it. */
export interface DoubleRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body as JSON; undefined when it is empty or not JSON. */
  readonly json: unknown;
}

/** A handler's answer: a JSON body, or text with its own content type. */
export interface DoubleResponse {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

/** What a recorded request shows in place of a secret. */
export const REDACTED = "<redacted>";
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);

/** A typed event hub; `on` returns the function that removes the listener. */
export class Events<E extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof E, Set<(event: never) => void>>();

  on<K extends keyof E>(name: K, listener: (event: E[K]) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (event: never) => void);
    this.listeners.set(name, set);
    return () => set.delete(listener as (event: never) => void);
  }

  emit<K extends keyof E>(name: K, event: E[K]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as (event: E[K]) => void)(event);
  }
}

/** The base of the HTTP doubles: a subclass answers requests in `handle`. */
export abstract class HttpDouble {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private server?: http.Server;
  private readonly faults: DoubleResponse[] = [];
  private base?: string;

  protected constructor(
    private readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer },
  ) {}

  /** The base URL (`http://127.0.0.1:<port>`); throws before `start`. */
  get url(): string {
    if (!this.base) throw new Error("the double is not started");
    return this.base;
  }

  /** Listens on 127.0.0.1 at a port the OS picks; resolves with the base URL. */
  async start(): Promise<string> {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void this.serve(req, res);
    const server = this.tls
      ? https.createServer({ key: this.tls.key, cert: this.tls.cert }, listener)
      : http.createServer(listener);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.base = `${this.tls ? "https" : "http"}://127.0.0.1:${port}`;
    return this.base;
  }

  /** Stops listening, closes every connection, and ends the double's own timers. */
  async stop(): Promise<void> {
    this.stopped();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `times` requests get this answer instead of the real one (after being recorded). */
  failNext(status: number, json?: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ status, json });
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  protected abstract handle(req: DoubleRequest): DoubleResponse | Promise<DoubleResponse>;

  /** The body as recorded: override to hide secrets the body carries. */
  protected recordBody(_req: DoubleRequest, body: unknown): unknown {
    return body;
  }

  /** Called by `stop`: override to end background work. */
  protected stopped(): void {}

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://double");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const request: DoubleRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      text,
      json,
    };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers[name] = SECRET_HEADERS.has(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value;
    }
    this.requests.push({
      method: request.method,
      path: request.path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: this.recordBody(request, json !== undefined ? json : text || undefined),
    });
    let answer: DoubleResponse;
    try {
      answer = this.faults.shift() ?? (await this.handle(request));
    } catch (e) {
      answer = { status: 500, json: { error: (e as Error).message, message: (e as Error).message } };
    }
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? "");
    const type =
      answer.json !== undefined
        ? (answer.contentType ?? "application/json")
        : (answer.contentType ?? "text/plain");
    res.writeHead(answer.status, body ? { "content-type": type } : {});
    res.end(body);
  }
}
