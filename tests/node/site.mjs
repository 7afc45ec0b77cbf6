// Drives the static site of `arende site` in headless Chromium for
// tests/testsuite/site.rs: node site.mjs SITE_DIR RECORD_ID WORD WORD_HIT
// Prints one JSON object: each page's heading, what the search found, the
// permanent link's heading, the public page's text, every request that
// left the site, and axe-core's serious and critical violations.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const [site, id, word] = process.argv.slice(2);
const url = (rel) => pathToFileURL(path.join(site, rel)).href;
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: FLAGS });
const result = { headings: {}, search: {}, outside: [], axe: [], axe_pages: 0 };
try {
  const context = await browser.newContext();
  context.on("request", (r) => { if (!r.url().startsWith("file://")) result.outside.push(r.url()); });
  const page = await context.newPage();
  const pages = ["index.html", "list.html", "calendar.html", "calendar-grid.html", "graph.html",
    "about.html", "rules/index.html", "reports/index.html", "driftinformation/index.html",
    `records/${id}.html`];
  for (const rel of pages) {
    await page.goto(url(rel));
    result.headings[rel] = (await page.locator("h1").first().innerText()).trim();
  }
  // The search: by ID, then by a word of a title.
  await page.goto(url("list.html"));
  const hits = async (q) => {
    await page.fill("input[name=q]", q);
    await page.waitForTimeout(50);
    return page.$$eval("#traffar tr td:first-child", (tds) => tds.map((td) => td.innerText.trim()));
  };
  result.search.by_id = await hits(id);
  result.search.by_word = await hits(word);
  // The permanent link, followed from the search's hit.
  await hits(id);
  await page.click(`#traffar a[href="records/${id}.html"]`);
  result.permalink = (await page.locator("h1").innerText()).trim();
  await page.goto(url("driftinformation/index.html"));
  result.drift = await page.locator("main").innerText();
  await context.close();

  // axe-core, injected into each page (the pages' policy forbids scripts
  // from elsewhere, so this context lets the test's own script in).
  const axeContext = await browser.newContext({ bypassCSP: true });
  const axePage = await axeContext.newPage();
  for (const rel of pages) {
    await axePage.goto(url(rel));
    await axePage.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const violations = await axePage.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] });
      return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
    });
    for (const v of violations) result.axe.push({ page: rel, ...v });
    result.axe_pages += 1;
  }
  for (const [name, rel] of [["overview", "index.html"], ["record", `records/${id}.html`], ["calendar", "calendar-grid.html"]]) {
    if (process.env.SHOTS) {
      await axePage.goto(url(rel));
      await axePage.screenshot({ path: path.join(process.env.SHOTS, `${name}.png`), fullPage: true });
    }
  }
  await axeContext.close();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
