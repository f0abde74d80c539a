// Reads every page of the built book in headless Chromium, as a reader would,
// and fails on anything a reader would trip over. Run through
// book/browser-check.sh, which builds the book and serves it on loopback.
//
//   node book/js/browser-check.mjs http://127.0.0.1:PORT/ book/book/html
//
// Per page, at 1280 px wide:
//   - it loads (HTTP 200) with no console error and no uncaught exception;
//   - no request leaves loopback (each is refused, and reported);
//   - every diagram is an SVG image that loaded, and no mermaid source was
//     left as a code block;
//   - no table and no code block is wider than the text column (it would
//     hide part of itself behind a scrollbar), and the page has no sideways
//     scroll;
// and at 420 px wide (a phone) the page itself still has no sideways scroll:
// a table or code block may scroll inside itself there, the page may not.
// Then the search box finds a known term.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

import { launch } from "./chromium.mjs";

const [base, root] = process.argv.slice(2);
if (!base || !root) {
  console.error("usage: node browser-check.mjs http://127.0.0.1:PORT/ BUILT_HTML_DIR");
  process.exit(2);
}
const origin = new URL(base).origin;

// A term that search must find, and a page its results must include.
const SEARCH = { term: "glossary", expect: "glossary.html" };

function pages(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return pages(path);
    return name.endsWith(".html") ? [relative(root, path)] : [];
  });
}

// 404.html is served for missing pages; toc.html is the sidebar for readers
// without JavaScript. Every other page is a chapter, or print.html (all of
// them on one page).
const all = pages(root)
  .filter((p) => p !== "404.html" && p !== "toc.html")
  .sort();

const problems = [];
const problem = (page, what) => problems.push(`${page}: ${what}`);

const browser = await launch();
const started = Date.now();
let diagrams = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let current = "";
  // Loopback only: anything else is refused and reported.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:") || url.startsWith("blob:")) {
      return route.continue();
    }
    problem(current, `request leaves loopback: ${url}`);
    return route.abort();
  });
  context.on("websocket", (ws) => {
    // mdbook serve's live-reload socket is on the same host and port.
    if (!ws.url().startsWith(origin.replace(/^http/, "ws"))) {
      problem(current, `websocket leaves loopback: ${ws.url()}`);
    }
  });

  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problem(current, `console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problem(current, `uncaught exception: ${err.message}`));

  for (const path of all) {
    current = path;
    await page.setViewportSize({ width: 1280, height: 900 });
    const response = await page.goto(new URL(path, base).href, { waitUntil: "load" });
    if (!response || response.status() !== 200) {
      problem(path, `HTTP ${response ? response.status() : "no response"}`);
      continue;
    }
    const found = await page.evaluate(inspectPage);
    diagrams += found.diagrams;
    for (const p of found.problems) problem(path, p);

    await page.setViewportSize({ width: 420, height: 900 });
    const narrow = await page.evaluate(pageScrollsSideways);
    if (narrow) problem(path, `at 420 px the page scrolls sideways: ${narrow}`);
  }

  // Search, from the first page, as a reader uses it: the toggle, then typing.
  current = "search";
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL("index.html", base).href, { waitUntil: "load" });
  await page.click("#mdbook-search-toggle");
  await page.type("#mdbook-searchbar", SEARCH.term, { delay: 20 }); // key by key, as typed
  try {
    await page.waitForFunction(
      (expect) =>
        [...document.querySelectorAll("#mdbook-searchresults a")].some((a) =>
          a.getAttribute("href").startsWith(expect),
        ),
      SEARCH.expect,
      { timeout: 10_000 },
    );
  } catch {
    problem("search", `"${SEARCH.term}" does not find ${SEARCH.expect}`);
  }
} finally {
  await browser.close();
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  for (const p of problems) console.error(`browser check: ${p}`);
  console.error(`browser check: FAILED (${problems.length} problem(s), ${all.length} pages, ${seconds} s)`);
  process.exit(1);
}
console.log(
  `browser check: OK (${all.length} pages at 1280 and 420 px, ${diagrams} diagrams, search, ${seconds} s)`,
);

// In the page, at 1280 px: what is wrong with it.
function inspectPage() {
  const problems = [];
  const name = (el) => {
    const text = (el.textContent || "").trim().replace(/\s+/g, " ");
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  };
  // Diagrams: committed SVG images, each loaded.
  // (mdBook shows each image twice in the page source: inline, and a hidden
  // zoomed-in copy; count the inline one.)
  const images = [...document.querySelectorAll("main img")].filter(
    (img) => img.getAttribute("src").includes("diagrams/") && !img.closest(".img-wrapper"),
  );
  for (const img of images) {
    if (!img.getAttribute("src").endsWith(".svg")) {
      problems.push(`diagram ${img.getAttribute("src")} is not an SVG`);
    } else if (!img.complete || img.naturalWidth === 0) {
      problems.push(`diagram ${img.getAttribute("src")} did not load`);
    }
  }
  for (const code of document.querySelectorAll("main code.language-mermaid, main pre.mermaid")) {
    problems.push(`mermaid source left as text: ${name(code)}`);
  }
  // Every other image loaded too.
  for (const img of document.querySelectorAll("main img")) {
    if (img.getAttribute("src").includes("diagrams/")) continue;
    if (!img.complete || img.naturalWidth === 0) {
      problems.push(`image ${img.getAttribute("src")} did not load`);
    }
  }
  // Tables (mdBook wraps each in a scrolling div) and code blocks (the
  // <code> inside the <pre> is what scrolls).
  for (const el of document.querySelectorAll("main .table-wrapper, main pre, main pre > code")) {
    const over = el.scrollWidth - el.clientWidth;
    if (over > 1) {
      const kind = el.matches(".table-wrapper") ? "table" : "code block";
      problems.push(`${kind} overflows by ${over} px: ${name(el)}`);
    }
  }
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 1) problems.push(`the page scrolls sideways by ${sideways} px`);
  return { problems, diagrams: images.length };
}

// In the page: whether it scrolls sideways, and the widest culprit.
function pageScrollsSideways() {
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways <= 1) return null;
  let widest = null;
  for (const el of document.querySelectorAll("main *")) {
    if (el.parentElement.closest("pre, .table-wrapper")) continue; // scrolls in its box
    const right = el.getBoundingClientRect().right;
    if (right > window.innerWidth + 1 && (!widest || right > widest.right)) {
      widest = { right, tag: el.tagName.toLowerCase(), text: (el.textContent || "").trim().slice(0, 50) };
    }
  }
  return `${sideways} px${widest ? ` (widest: <${widest.tag}> ${widest.text})` : ""}`;
}
