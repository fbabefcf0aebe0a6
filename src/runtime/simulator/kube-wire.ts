import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { apiVersionOf, type KubeObject, type ResourceType } from "./kube-objects.js";
import { badRequest, invalidField, KubeHttpError, statusError, unsupportedMediaType } from "./kube-status.js";
import { SelectorSyntaxError } from "./label-selector.js";
import { applyJsonPatch, applyMergePatch, PatchError } from "./patches.js";

/** How the Kubernetes double reads request bodies: their size, their media types, the patch formats. */

const MAX_BODY = 3 * 1024 * 1024;

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const APPLY_PATCH = "application/apply-patch+yaml";

/** The patch media types the real server accepts: custom resources have no strategic merge patch. */
export function acceptedPatchTypes(type: ResourceType): string[] {
  return type.custom
    ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH]
    : [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];
}

/** The body as text, or undefined beyond the real server's limit of 3 MiB (it answers 413). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY ? undefined : Buffer.concat(chunks).toString("utf8");
}

/** 415 unless a POST or PUT body is JSON, as the runtime sends it. */
export function requireBodyType(contentType: string | undefined): void {
  if (contentType !== "application/json") {
    throw unsupportedMediaType([
      "application/json",
      "application/yaml",
      "application/vnd.kubernetes.protobuf",
    ]);
  }
}

/**
 * The function that applies a PATCH body to an object, chosen by its media type: 415 for a type the
 * server does not accept for the resource, 400 for a body it cannot read, 422 for an apply without a
 * field manager.
 */
export function patchFor(
  contentType: string | undefined,
  raw: string,
  type: ResourceType,
  query: URLSearchParams,
): (current: KubeObject) => unknown {
  const accepted = acceptedPatchTypes(type);
  if (contentType === undefined || !accepted.includes(contentType)) throw unsupportedMediaType(accepted);
  let patch: unknown;
  try {
    patch = contentType === APPLY_PATCH ? parseYaml(raw) : JSON.parse(raw);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  if (contentType === APPLY_PATCH && !query.get("fieldManager")) {
    throw invalidField(
      "PatchOptions.meta.k8s.io",
      { resource: "", group: "meta.k8s.io", plural: "" },
      "fieldManager",
      "Required value: is required for apply patch",
    );
  }
  return (current) => {
    try {
      // NOTE: a strategic merge patch and a server-side apply are applied as merge patches: the runtime
      // sends neither, and they agree with a merge patch on the maps it would touch.
      return contentType === JSON_PATCH ? applyJsonPatch(current, patch) : applyMergePatch(current, patch);
    } catch (e) {
      if (e instanceof PatchError) {
        throw e.code === 422 ? statusError(422, "Invalid", e.message) : badRequest(e.message);
      }
      throw e;
    }
  };
}

/** A list answer; typed lists of built-in resources leave out each item's apiVersion and kind. */
export function listOf(type: ResourceType, items: KubeObject[], resourceVersion: string): unknown {
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion },
    // Typed lists of built-in resources leave out each item's apiVersion and kind; lists of custom ones keep them.
    items: type.custom ? items : items.map(({ apiVersion: _v, kind: _k, ...rest }) => rest),
  };
}

/** The DeleteOptions of a DELETE, from its query and body; 400/422 for ones the server refuses. */
export function deleteOptions(
  q: URLSearchParams,
  raw: string,
): { propagationPolicy?: string; preconditions?: { resourceVersion?: string; uid?: string } } {
  // biome-ignore lint/suspicious/noExplicitAny: DeleteOptions as JSON
  let body: any = {};
  if (raw) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw statusError(400, "BadRequest", "the body of the DELETE is not DeleteOptions JSON");
    }
  }
  const policy = body?.propagationPolicy ?? q.get("propagationPolicy") ?? undefined;
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw statusError(
      422,
      "Invalid",
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return {
    ...(policy !== undefined ? { propagationPolicy: policy } : {}),
    ...(body?.preconditions ? { preconditions: body.preconditions } : {}),
  };
}

/** JSON when it parses, else the text (for the request log). */
export function parseOrText(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The Status to answer any error with: KubeHttpErrors as they are, the rest as 400 or 500. */
export function toHttpError(e: unknown): KubeHttpError {
  if (e instanceof KubeHttpError) return e;
  if (e instanceof SelectorSyntaxError) return statusError(400, "BadRequest", e.message);
  if (e instanceof SyntaxError) return statusError(400, "BadRequest", `the body is not JSON: ${e.message}`);
  return statusError(500, "InternalError", `Internal error occurred: ${(e as Error).message ?? String(e)}`);
}
