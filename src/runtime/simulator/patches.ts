/**
 * The patch formats the Kubernetes API server applies: JSON merge patch (RFC 7386) and JSON patch
 * (RFC 6902, the operations clients use: add, remove, replace, test).
 */

/** A patch the server cannot apply; the server answers it with an error Status. */
export class PatchError extends Error {
  constructor(
    message: string,
    /** 400 for a malformed patch, 422 for a patch that does not fit the object (a failed `test`). */
    readonly code: 400 | 422 = 400,
  ) {
    super(message);
    this.name = "PatchError";
  }
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Applies a JSON merge patch: objects merge key by key, `null` removes a key, anything else replaces.
 * Returns a new value; never changes its arguments.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

/**
 * Applies a JSON patch. Throws PatchError when the document is not a list of operations (400), or an
 * operation names a path that is not there or a `test` fails (422). Returns a new value.
 */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  let doc = structuredClone(target);
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new PatchError("the JSON patch has an operation without op or path");
    }
    doc = applyOperation(doc, raw as unknown as Operation);
  }
  return doc;
}

function applyOperation(doc: unknown, op: Operation): unknown {
  const tokens = parsePointer(op.path);
  if (tokens.length === 0) {
    if (op.op === "test") return testValue(doc, op);
    if (op.op === "add" || op.op === "replace") return structuredClone(op.value);
    throw new PatchError(`cannot ${op.op} the whole document`, 422);
  }
  const parent = resolve(doc, tokens.slice(0, -1), op.path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new PatchError(`index ${last} of ${op.path} is out of range`, 422);
    }
    if (op.op === "add") parent.splice(index, 0, structuredClone(op.value));
    else if (op.op === "remove" || op.op === "replace") {
      if (index >= parent.length) throw new PatchError(`${op.path} does not exist`, 422);
      if (op.op === "remove") parent.splice(index, 1);
      else parent[index] = structuredClone(op.value);
    } else if (op.op === "test") testValue(parent[index], op);
    else throw new PatchError(`unsupported JSON patch operation ${op.op}`);
    return doc;
  }
  if (!isObject(parent)) throw new PatchError(`${op.path} does not exist`, 422);
  switch (op.op) {
    case "add":
      parent[last] = structuredClone(op.value);
      break;
    case "replace":
    case "remove":
      if (!(last in parent)) throw new PatchError(`${op.path} does not exist`, 422);
      if (op.op === "remove") delete parent[last];
      else parent[last] = structuredClone(op.value);
      break;
    case "test":
      testValue(parent[last], op);
      break;
    default:
      throw new PatchError(`unsupported JSON patch operation ${op.op}`);
  }
  return doc;
}

function testValue(actual: unknown, op: Operation): unknown {
  if (JSON.stringify(actual) !== JSON.stringify(op.value)) {
    throw new PatchError(`testing value ${op.path} failed`, 422);
  }
  return actual;
}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`${path} is not a JSON pointer`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolve(doc: unknown, tokens: string[], path: string): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token];
    else node = undefined;
    if (node === undefined) throw new PatchError(`${path}: missing path`, 422);
  }
  return node;
}
