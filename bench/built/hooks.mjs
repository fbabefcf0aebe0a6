// Module hooks: a resolved URL under <root>/src/ ending in .ts becomes the same module under <root>/dist/.
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const src = pathToFileURL(`${root}src/`).href;
const dist = pathToFileURL(`${root}dist/`).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith(src) && resolved.url.endsWith(".ts")) {
    return { ...resolved, url: `${dist}${resolved.url.slice(src.length, -3)}.js`, format: "module" };
  }
  return resolved;
}
