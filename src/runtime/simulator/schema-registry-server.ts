import { type DoubleRequest, type DoubleResponse, Events, HttpDouble } from "./http-double.js";

/**
 * A double of the Confluent schema registry's REST API over HTTP, for its global configuration:
 * `GET /config` and `PUT /config`, with the registry's content types and `{error_code, message}` errors.
 */

const LEVELS = [
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
  "NONE",
];

const CONTENT_TYPES = [
  "application/vnd.schemaregistry.v1+json",
  "application/vnd.schemaregistry+json",
  "application/json",
];
const REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";

/** A change of the global compatibility level. */
export interface CompatibilityChange {
  readonly from: string;
  readonly to: string;
}

/** The schema registry double. Emits `compatibility` when the global level changes. */
export class SchemaRegistryServer extends HttpDouble {
  readonly events = new Events<{ compatibility: CompatibilityChange }>();
  private level: string;

  /** Starts with the level a site runs with (Sasquatch: FORWARD). */
  constructor(options: { readonly compatibility?: string } = {}) {
    super();
    this.level = options.compatibility ?? "FORWARD";
  }

  /** The global compatibility level now. */
  get compatibility(): string {
    return this.level;
  }

  /** Sets the level as if someone else had changed it. */
  setCompatibility(level: string): void {
    this.change(level);
  }

  protected handle(req: DoubleRequest): DoubleResponse {
    if (req.path !== "/config") return error(404, 404, "HTTP 404 Not Found");
    if (req.method === "GET")
      return { status: 200, json: { compatibilityLevel: this.level }, contentType: REGISTRY_JSON };
    if (req.method !== "PUT") return error(405, 405, "HTTP 405 Method Not Allowed");
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
    if (!CONTENT_TYPES.includes(type)) return error(415, 415, "HTTP 415 Unsupported Media Type");
    if (req.json === undefined) return error(400, 400, "Unrecognized token: was expecting JSON");
    const wanted = (req.json as { compatibility?: unknown }).compatibility;
    if (typeof wanted !== "string" || !LEVELS.includes(wanted.toUpperCase())) {
      return error(
        422,
        42203,
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
      );
    }
    this.change(wanted.toUpperCase());
    return { status: 200, json: { compatibility: this.level }, contentType: REGISTRY_JSON };
  }

  private change(level: string): void {
    const from = this.level;
    this.level = level;
    if (from !== level) this.events.emit("compatibility", { from, to: level });
  }
}

function error(status: number, code: number, message: string): DoubleResponse {
  return { status, json: { error_code: code, message }, contentType: REGISTRY_JSON };
}
