/**
 * The `Status` objects a Kubernetes API server answers errors with, worded as the real server words them,
 * so that the runtime's error messages are tested against what it will really read.
 */

/** A `meta/v1 Status`, as sent on the wire. */
export interface KubeStatus {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure" | "Success";
  readonly message?: string;
  readonly reason?: string;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly uid?: string;
    readonly causes?: readonly { reason: string; message: string; field: string }[];
  };
  readonly code: number;
}

/** An error the double answers with: its HTTP code is `status.code`. */
export class KubeHttpError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = "KubeHttpError";
  }
}

/** What a status message names: a resource (`deployments.apps`) in a group, and maybe an object. */
export interface Subject {
  /** The plural, qualified by the group when it has one: `deployments.apps`, `pods`. */
  readonly resource: string;
  readonly group: string;
  readonly plural: string;
  readonly name?: string;
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatus["details"],
): KubeHttpError {
  return new KubeHttpError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function detailsOf(s: Subject): KubeStatus["details"] {
  return { ...(s.name !== undefined ? { name: s.name } : {}), group: s.group, kind: s.plural };
}

/** 404: `deployments.apps "x" not found`. */
export function notFound(s: Subject): KubeHttpError {
  return failure(404, "NotFound", `${s.resource} "${s.name}" not found`, detailsOf(s));
}

/** 404 for a path the server does not serve. */
export function noSuchPath(): KubeHttpError {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

/** 409 AlreadyExists: a create of an object that is there. */
export function alreadyExists(s: Subject): KubeHttpError {
  return failure(409, "AlreadyExists", `${s.resource} "${s.name}" already exists`, detailsOf(s));
}

/** 409 Conflict: a write with a stale resourceVersion, or a failed precondition. */
export function conflict(s: Subject, why: string): KubeHttpError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${s.resource} "${s.name}": ${why}`,
    detailsOf(s),
  );
}

/** The reason of a stale update, worded as the real server words it. */
export const STALE_OBJECT =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 403: `deployments.apps "x" is forbidden: User "u" cannot patch resource "deployments/scale" ...`. */
export function forbidden(
  s: Subject,
  user: string,
  verb: string,
  subresource?: string,
  namespace?: string,
): KubeHttpError {
  const what = s.name !== undefined ? `${s.resource} "${s.name}"` : s.resource;
  const resource = subresource ? `${s.plural}/${subresource}` : s.plural;
  const where = namespace !== undefined ? ` in the namespace "${namespace}"` : " at the cluster scope";
  return failure(
    403,
    "Forbidden",
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${s.group}"${where}`,
    detailsOf(s),
  );
}

/** 401, as the real server sends it. */
export function unauthorized(): KubeHttpError {
  return failure(401, "Unauthorized", "Unauthorized");
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeHttpError {
  return failure(400, "BadRequest", message);
}

/** 422 Invalid: `Scale.autoscaling "x" is invalid: spec.replicas: Invalid value: -1: must be ...`. */
export function invalid(
  kindGroup: string,
  s: Subject,
  field: string,
  value: unknown,
  why: string,
): KubeHttpError {
  return invalidField(
    kindGroup,
    s,
    field,
    `Invalid value: ${JSON.stringify(value)}: ${why}`,
    "FieldValueInvalid",
  );
}

/** 422 Invalid with the detail as given: `metadata.name: Required value: name is required`. */
export function invalidField(
  kindGroup: string,
  s: Subject,
  field: string,
  detail: string,
  reason = "FieldValueRequired",
): KubeHttpError {
  return failure(422, "Invalid", `${kindGroup} "${s.name ?? ""}" is invalid: ${field}: ${detail}`, {
    ...detailsOf(s),
    causes: [{ reason, message: detail, field }],
  });
}

/** 415: a PATCH (or body) in a media type the server does not accept for the resource. */
export function unsupportedMediaType(accepted: readonly string[]): KubeHttpError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string): KubeHttpError {
  return failure(
    405,
    "MethodNotAllowed",
    `the server does not allow this method on the requested resource (${method})`,
  );
}

/** Any failure with a given code and reason, for injected faults (500 InternalError, 503 ServiceUnavailable). */
export function statusError(code: number, reason: string, message: string): KubeHttpError {
  return failure(code, reason, message);
}

/** The Success status a delete of an object without finalizers answers with. */
export function deleted(s: Subject, uid: string): KubeStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: s.name, group: s.group, kind: s.plural, uid },
    code: 200,
  };
}
