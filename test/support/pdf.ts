import { inflateSync } from "node:zlib";

/**
 * Just enough of a PDF reader to check what Chromium printed (Skia's PDF writer: uncompressed objects,
 * Flate content streams, Type0 fonts with a ToUnicode map, text shown with hex strings): the pages in
 * order, the text of each page, and the named destinations (the element ids that links point to) with the
 * page and height they land on. It is not a general PDF parser and throws on what it does not know.
 */
export interface PdfSummary {
  pages: { text: string; height: number }[];
  /** Named destination -> page index (0-based) and distance from the top of that page, in points. */
  dests: Map<string, { page: number; fromTop: number }>;
}

export function readPdf(bytes: Uint8Array): PdfSummary {
  const raw = Buffer.from(bytes).toString("latin1");
  const objects = new Map<number, string>();
  for (const m of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) objects.set(Number(m[1]), m[2]!);
  const stream = (n: number): string => {
    const body = objects.get(n);
    if (body === undefined) throw new Error(`pdf: no object ${n}`);
    const start = body.indexOf("stream");
    if (start < 0) throw new Error(`pdf: object ${n} is not a stream`);
    let from = start + "stream".length;
    if (body[from] === "\r") from++;
    if (body[from] === "\n") from++;
    const data = Buffer.from(body.slice(from, body.lastIndexOf("endstream")), "latin1");
    return /\/FlateDecode/.test(body.slice(0, start))
      ? inflateSync(data).toString("latin1")
      : data.toString("latin1");
  };
  const ref = (text: string, key: string): number | undefined => {
    const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(text);
    return m ? Number(m[1]) : undefined;
  };

  const catalog = [...objects.entries()].find(([, b]) => /\/Type\s*\/Catalog/.test(b));
  if (!catalog) throw new Error("pdf: no catalog");
  const pageIds: number[] = [];
  const walk = (n: number) => {
    const body = objects.get(n)!;
    if (/\/Type\s*\/Pages/.test(body)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(body)![1]!;
      for (const k of kids.matchAll(/(\d+) 0 R/g)) walk(Number(k[1]));
    } else pageIds.push(n);
  };
  walk(ref(catalog[1], "Pages")!);

  const fonts = new Map<number, Map<number, string>>();
  const unicodeOf = (fontId: number): Map<number, string> => {
    let map = fonts.get(fontId);
    if (map) return map;
    map = new Map();
    const toUnicode = ref(objects.get(fontId)!, "ToUnicode");
    if (toUnicode !== undefined) parseCMap(stream(toUnicode), map);
    fonts.set(fontId, map);
    return map;
  };

  const pages = pageIds.map((id) => {
    const body = objects.get(id)!;
    const box = /\/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s*\]/.exec(body);
    const fontRefs = new Map<string, number>();
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(body)?.[1] ?? "";
    for (const f of fontDict.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) fontRefs.set(f[1]!, Number(f[2]));
    const contents = ref(body, "Contents");
    const ops = contents === undefined ? "" : stream(contents);
    let font: Map<number, string> | undefined;
    const parts: string[] = [];
    for (const m of ops.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|ET/g)) {
      if (m[1] !== undefined) {
        const fontId = fontRefs.get(m[1]);
        font = fontId === undefined ? undefined : unicodeOf(fontId);
      } else if (m[2] !== undefined && font) {
        let s = "";
        for (let i = 0; i + 4 <= m[2].length; i += 4)
          s += font.get(Number.parseInt(m[2].slice(i, i + 4), 16)) ?? "";
        parts.push(s);
      } else parts.push(" ");
    }
    return { text: parts.join("").replace(/\s+/g, " ").trim(), height: box ? Number(box[1]) : 0 };
  });

  const dests = new Map<string, { page: number; fromTop: number }>();
  const destsId = ref(catalog[1], "Dests");
  if (destsId !== undefined) {
    for (const m of objects
      .get(destsId)!
      .matchAll(/\/([^\s[/]+)\s*\[\s*(\d+) 0 R\s*\/XYZ\s+([-\d.]+)\s+([-\d.]+)/g)) {
      const page = pageIds.indexOf(Number(m[2]));
      const name = m[1]!.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
      dests.set(name, { page, fromTop: (pages[page]?.height ?? 0) - Number(m[4]) });
    }
  }
  return { pages, dests };
}

function parseCMap(text: string, map: Map<number, string>): void {
  const hexText = (hex: string) => {
    let s = "";
    for (let i = 0; i + 4 <= hex.length; i += 4)
      s += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
    return s;
  };
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      map.set(Number.parseInt(m[1]!, 16), hexText(m[2]!));
    }
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const lo = Number.parseInt(m[1]!, 16);
      const hi = Number.parseInt(m[2]!, 16);
      const base = Number.parseInt(m[3]!, 16);
      for (let c = lo; c <= hi; c++) map.set(c, String.fromCharCode(base + c - lo));
    }
  }
}
