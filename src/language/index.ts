export type * from "./ast.js";
export { plainText, showCsc, showText } from "./ast.js";
export { decodeSource, MAX_DIAGNOSTICS_PER_FILE, type ParseResult, parse } from "./parse.js";
