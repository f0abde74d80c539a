// Reads every page of the built book in headless Chromium, as a reader would,
// and fails on anything a reader would trip over. Run through
// book/browser-check.sh, which builds the book and serves it on loopback.
//
//   node book/js/browser-check.mjs http://127.0.0.1:PORT/ book/book/html
//
// Per page, at 1280 px wide (a laptop):
//   - it loads (HTTP 200) with no console error and no uncaught exception;
//   - no request leaves loopback (each is refused, and reported);
//   - every diagram is an SVG image that loaded, and no mermaid source was
//     left as a code block;
//   - no table and no code block is wider than the text column (it would
//     hide part of itself behind a scrollbar), and the page has no sideways
//     scroll;
//   - no entry of the sidebar (chapters, and the page's own headings) is cut
//     off at its right edge;
// and at 390 px wide (a phone):
//   - the page itself has no sideways scroll;
//   - a table or code block wider than the screen scrolls inside its own box
//     and has the cue that says so (js/scroll-cue.js) visible above it: one
//     that overflows without its cue fails.
// Screenshots of a few pages at both widths go to $BROWSER_CHECK_SHOTS, if
// set, for a person to look at. Then the search box finds a known term.
import { mkdirSync, readdirSync, statSync } from "node:fs";
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

// The two widths every page is read at.
const WIDE = 1280;
const NARROW = 390;

// Pages worth a look by eye at both widths (wide tables, long listings, the
// sidebar's longest headings), saved when BROWSER_CHECK_SHOTS names a folder.
const SHOTS = process.env.BROWSER_CHECK_SHOTS;
const SHOT_PAGES = ["benchmarks/results.html", "cheat-sheet.html", "loom/tree.html", "context/interface.html"];
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

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
    await page.setViewportSize({ width: WIDE, height: 900 });
    const response = await page.goto(new URL(path, base).href, { waitUntil: "load" });
    if (!response || response.status() !== 200) {
      problem(path, `HTTP ${response ? response.status() : "no response"}`);
      continue;
    }
    const found = await page.evaluate(inspectPage);
    diagrams += found.diagrams;
    for (const p of found.problems) problem(path, p);
    const shot = SHOTS && SHOT_PAGES.includes(path) ? `${SHOTS}/${path.replace(/[/.]/g, "_")}` : null;
    if (shot) await page.screenshot({ path: `${shot}-${WIDE}.png` });

    // A phone loads the page at its own width (mdBook then hides the
    // sidebar): load it again, rather than shrink the wide one.
    await page.setViewportSize({ width: NARROW, height: 900 });
    await page.goto(new URL(path, base).href, { waitUntil: "load" });
    const narrow = await page.evaluate(pageScrollsSideways);
    if (narrow) problem(path, `at ${NARROW} px the page scrolls sideways: ${narrow}`);
    for (const p of await page.evaluate(overflowsWithoutCue)) problem(path, `at ${NARROW} px ${p}`);
    if (shot) {
      // The first box that scrolls, with its cue, if there is one.
      await page.evaluate(() => {
        const cue = document.querySelector("main .scroll-cue");
        if (cue) window.scrollTo(0, cue.getBoundingClientRect().top + window.scrollY - 80);
      });
      await page.screenshot({ path: `${shot}-${NARROW}.png` });
    }
  }

  // Search, from the first page, as a reader uses it: the toggle, then typing.
  current = "search";
  await page.setViewportSize({ width: WIDE, height: 900 });
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
  `browser check: OK (${all.length} pages at ${WIDE} and ${NARROW} px, ${diagrams} diagrams, search, ${seconds} s)`,
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
  // The sidebar: every entry ends inside it (a long heading wraps, not cut).
  const sidebar = document.querySelector("#mdbook-sidebar");
  if (sidebar && sidebar.getBoundingClientRect().width > 0) {
    const edge = sidebar.getBoundingClientRect().right;
    for (const a of sidebar.querySelectorAll("a")) {
      const box = a.getBoundingClientRect();
      if (box.width > 0 && box.right > edge + 1) {
        problems.push(`sidebar entry cut off by ${Math.round(box.right - edge)} px: ${name(a)}`);
      }
    }
  }
  return { problems, diagrams: images.length };
}

// In the page, at the narrow width: every table or listing that overflows
// its box must scroll inside it and show the cue above it.
function overflowsWithoutCue() {
  const problems = [];
  for (const box of document.querySelectorAll("main .table-wrapper, main pre")) {
    const inner = box.matches("pre") ? box.querySelector(":scope > code") || box : box;
    const over = inner.scrollWidth - inner.clientWidth;
    if (over <= 1) continue;
    const kind = box.matches("pre") ? "code block" : "table";
    const text = (box.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(inner).overflowX);
    const cue = box.previousElementSibling;
    const cued =
      cue !== null &&
      cue.classList.contains("scroll-cue") &&
      cue.getBoundingClientRect().height > 0 &&
      getComputedStyle(cue).visibility === "visible";
    if (!scrolls) problems.push(`${kind} overflows by ${over} px and does not scroll: ${text}`);
    else if (!cued) problems.push(`${kind} overflows by ${over} px with no scroll cue: ${text}`);
  }
  return problems;
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
