export * from "./canonical.js";
export * from "./plan.js";
export * from "./schema.js";
