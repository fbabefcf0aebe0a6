import type http from "node:http";
import type { PlanSite } from "../../ir/schema.js";
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

/**
 * The Confluent schema registry of a site's Kafka (Sasquatch), through its REST API: the global
 * compatibility level, which a deployment that breaks schema compatibility sets to NONE and back.
 */

/** The compatibility levels the registry knows. */
export const COMPATIBILITY_LEVELS = [
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
  "NONE",
] as const;

/** The registry's own content type, which `PUT /config` expects. */
export const REGISTRY_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

/** The schema registry of a site. Every method rejects with a ServiceError (a StepFailure). */
export interface SchemaRegistryClient {
  readonly url: string;
  /** `GET /config`: the global compatibility level (`compatibilityLevel`), upper case. */
  getCompatibility(signal?: AbortSignal): Promise<string>;
  /**
   * `PUT /config` with `{"compatibility": level}`: sets the global level and resolves with the level the
   * registry answered. Rejects a level the registry does not know before sending anything.
   */
  setCompatibility(level: string, signal?: AbortSignal): Promise<string>;
  close(): void;
}

const SERVICE = "the schema registry";

/** Upper-cases a level and checks it; throws a ServiceError naming the valid levels otherwise. */
export function normalizeLevel(level: string): string {
  const upper = level.trim().toUpperCase();
  if ((COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) return upper;
  throw new ServiceError(
    `\`${level}\` is not a compatibility level of the schema registry`,
    `use one of ${COMPATIBILITY_LEVELS.join(", ")}`,
    false,
  );
}

/** The schema registry client over node's http/https. */
export class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly target: HttpTarget;

  constructor(
    readonly url: string,
    options: { readonly timeoutMs?: number; readonly ca?: string | Buffer; readonly caSource?: string } = {},
  ) {
    try {
      this.base = new URL(url);
    } catch {
      throw new ServiceError(
        `\`${url}\` is not a URL`,
        "fix the schema registry URL in the site file",
        false,
      );
    }
    this.agent = createAgent(this.base, options.ca);
    this.target = {
      service: SERVICE,
      agent: this.agent,
      caSource: options.caSource,
      timeoutMs: options.timeoutMs ?? 30_000,
      secrets: () => [],
    };
  }

  async getCompatibility(signal?: AbortSignal): Promise<string> {
    const url = joinUrl(this.base, "/config");
    const res = await requestJson(this.target, { method: "GET", url, signal, headers: ACCEPT });
    if (res.status >= 400) throw this.error("GET", url, res);
    const level = (res.body as { compatibilityLevel?: unknown } | undefined)?.compatibilityLevel;
    if (typeof level !== "string") {
      throw new ServiceError(
        `${SERVICE} answered GET ${displayUrl(url)} without a compatibilityLevel`,
        undefined,
        false,
      );
    }
    return level.toUpperCase();
  }

  async setCompatibility(level: string, signal?: AbortSignal): Promise<string> {
    const wanted = normalizeLevel(level);
    const url = joinUrl(this.base, "/config");
    const res = await requestJson(this.target, {
      method: "PUT",
      url,
      signal,
      headers: ACCEPT,
      body: { compatibility: wanted },
      contentType: REGISTRY_CONTENT_TYPE,
    });
    if (res.status >= 400) throw this.error("PUT", url, res);
    const answered = (res.body as { compatibility?: unknown } | undefined)?.compatibility;
    return typeof answered === "string" ? answered.toUpperCase() : wanted;
  }

  close(): void {
    this.agent.destroy();
  }

  /** `{error_code, message}` into a message that gives both. */
  private error(method: string, url: URL, res: JsonResponse): ServiceError {
    const body = (res.body ?? {}) as { error_code?: unknown; message?: unknown };
    const code = typeof body.error_code === "number" ? body.error_code : undefined;
    const message = typeof body.message === "string" ? body.message : undefined;
    const detail = message && code !== undefined ? `${message} (error ${code})` : message;
    return httpError(this.target, `${method} ${displayUrl(url)}`, res.status, detail, code);
  }
}

const ACCEPT = {
  accept: `${REGISTRY_CONTENT_TYPE}, application/vnd.schemaregistry+json, application/json`,
};

/** The client of a site's schema registry; throws a StepFailure when the site has none. */
export function createSchemaRegistryClient(
  site: PlanSite,
  options: { readonly timeoutMs?: number } = {},
): SchemaRegistryClient {
  if (!site.schemaRegistry) {
    throw new ServiceError(
      `site \`${site.name}\` has no schema registry`,
      "add its URL to the site file",
      false,
    );
  }
  return new HttpSchemaRegistryClient(site.schemaRegistry.url, options);
}
