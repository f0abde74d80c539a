// Renders every book/diagrams/NAME.mmd to book/src/diagrams/NAME.svg with
// mermaid, in headless Chromium (mermaid lays text out with the browser's
// own font metrics). Run through book/diagrams.sh.
//
// The SVGs are committed, so reading the book needs no plugin and no
// JavaScript. Each starts with a comment holding the SHA-256 of its source,
// which book/check.sh compares to the source on every build.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launch } from "./chromium.mjs";

const book = join(dirname(fileURLToPath(import.meta.url)), "..");
const sources = join(book, "diagrams");
const output = join(book, "src", "diagrams");
const mermaidJs = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");

// Liberation Sans has Arial's metrics, so the boxes drawn here fit their text
// wherever Arial or Helvetica stands in for it.
const CONFIG = {
  startOnLoad: false,
  securityLevel: "strict",
  theme: "neutral",
  fontFamily: "'Liberation Sans', Arial, Helvetica, sans-serif",
  htmlLabels: false,
  flowchart: { htmlLabels: false, useMaxWidth: false },
  // Narrow margins, so that a sequence fits the 750 px text column at (or
  // near) its natural size.
  sequence: {
    useMaxWidth: false,
    mirrorActors: false,
    wrap: false,
    actorMargin: 24,
    width: 110,
    noteMargin: 6,
    boxMargin: 6,
    messageMargin: 28,
  },
  deterministicIds: true,
};

const wanted = process.argv.slice(2);
const names = readdirSync(sources)
  .filter((f) => f.endsWith(".mmd"))
  .map((f) => f.slice(0, -4))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

const browser = await launch();
try {
  const page = await browser.newPage();
  // Nothing is fetched: mermaid comes from node_modules, the page is empty.
  await page.route("**/*", (route) => route.abort());
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: mermaidJs });
  mkdirSync(output, { recursive: true });
  for (const name of names) {
    const source = readFileSync(join(sources, `${name}.mmd`), "utf8");
    let svg;
    try {
      svg = await page.evaluate(
        async ({ name, source, config }) => {
          window.mermaid.initialize({ ...config, deterministicIDSeed: name });
          const { svg } = await window.mermaid.render(`diagram-${name}`, source);
          return svg;
        },
        { name, source, config: CONFIG },
      );
    } catch (err) {
      console.error(`diagrams: ${name}.mmd: ${err.message.split("\n").slice(0, 4).join("\n")}`);
      process.exitCode = 1;
      continue;
    }
    const sha = createHash("sha256").update(source).digest("hex");
    writeFileSync(join(output, `${name}.svg`), sized(svg, name, sha));
    console.log(`diagrams: ${name}.mmd -> src/diagrams/${name}.svg`);
  }
} finally {
  await browser.close();
}

// An <img> needs the SVG's own width and height; mermaid writes a percentage
// width and a max-width style instead.
function sized(svg, name, sha) {
  const viewBox = svg.match(/viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"/);
  if (!viewBox) throw new Error(`${name}: no viewBox in mermaid's SVG`);
  const [width, height] = [Math.ceil(+viewBox[3]), Math.ceil(+viewBox[4])];
  const root = svg
    .replace(/^<svg([^>]*?) width="[^"]*"/, "<svg$1")
    .replace(/^<svg([^>]*?) height="[^"]*"/, "<svg$1")
    .replace(/^<svg([^>]*?) style="[^"]*"/, "<svg$1")
    .replace(/^<svg/, `<svg width="${width}" height="${height}"`);
  return `<!-- Generated from book/diagrams/${name}.mmd (sha256 ${sha}) by book/diagrams.sh; do not edit. -->\n${rounded(root)}\n`;
}

// mermaid writes coordinates to twelve decimals, and draws some shapes as
// paths of hundreds of points: a tenth of a pixel is plenty, and keeps each
// file small. Only geometry attributes are touched, never a label's text.
function rounded(svg) {
  const geometry =
    /(\s(?:d|points|transform|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|width|height|viewBox|refX|refY|markerWidth|markerHeight|dx|dy)=")([^"]*)"/g;
  return svg.replace(
    geometry,
    (_, attr, value) =>
      attr + value.replace(/-?\d+\.\d{2,}/g, (n) => String(Math.round(+n * 10) / 10)) + '"',
  );
}
