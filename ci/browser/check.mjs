// The real-browser check of chokepoint's HTML reports (docs/reports.md, "Checking a report in a
// real browser"). Opens each file in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core, which never downloads a browser of its own) at an A4-wide viewport, then at
// print emulation, takes a full-page screenshot and an A4 PDF, and fails on:
//   - a console error, an uncaught page error, or any request other than file:, data:, blob:,
//     about: (the report must be self-contained);
//   - a chart (<figure class="chart"> with an inline <svg> and a <figcaption>) without marks,
//     with NaN/Infinity in its SVG, or an <svg> outside that contract;
//   - text overflowing its box (cells, headings, paragraphs, captions), SVG text outside its
//     svg, or a page wider than the viewport;
//   - a blank screenshot.
//
//   node check.mjs [--screenshots DIR] FILE.html...
//
// Exit codes: 0 every file passed; 1 some file failed a check; 2 usage (a bad flag, a missing
// file); 3 the browser could not be started or crashed.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { inspectPage } from './inspect.mjs';

export const VIEWPORT = { width: 794, height: 1123 }; // A4 at 96 CSS px per inch
// What a browser prints on A4 by default: 10 mm margins, so 718 of the 794 px (a report's own
// @page rule wins in the PDF; the layout checks use this width).
const PRINT_MARGIN = '10mm';
export const PRINT_VIEWPORT = { width: 718, height: 1047 };
const CHROMIUM = process.env.CHOKEPOINT_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LOCAL_SCHEMES = ['file:', 'data:', 'blob:', 'about:'];
// A blank screenshot: fewer distinct colours than this, or one colour over this share.
const MIN_COLOURS = 16;
const MAX_DOMINANT_SHARE = 0.99;
const LOAD_TIMEOUT_MS = 30_000;

function usage(message) {
  console.error(`ci/browser: ${message}`);
  console.error('usage: node ci/browser/check.mjs [--screenshots DIR] FILE.html...');
  process.exit(2);
}

function parseArgs(argv) {
  const files = [];
  let screenshots = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--screenshots') {
      if (i + 1 >= argv.length) usage('--screenshots needs a folder');
      screenshots = argv[(i += 1)];
    } else if (arg.startsWith('--screenshots=')) {
      screenshots = arg.slice('--screenshots='.length);
    } else if (arg.startsWith('-')) {
      usage(`unknown flag ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) usage('no file to check');
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      usage(`${file}: no such file (give the path of a report.html)`);
    }
  }
  return { files, screenshots };
}

// Where FILE's screenshot and PDF go: beside it, or in DIR named after it (and its folder when
// two files share a name, as runs/a/report.html and runs/b/report.html do).
function outputStems(files, screenshots) {
  const stems = files.map((f) => basename(f, extname(f)));
  return files.map((file, i) => {
    let stem = stems[i];
    if (screenshots && stems.filter((s) => s === stem).length > 1) {
      stem = `${basename(dirname(resolve(file)))}-${stem}`;
      if (files.some((g, j) => j < i && `${basename(dirname(resolve(g)))}-${stems[j]}` === stem)) {
        stem = `${stem}-${i + 1}`;
      }
    }
    return join(screenshots ?? dirname(file), stem);
  });
}

// Distinct colours and the share of the commonest one in a PNG.
export function colourStats(buffer) {
  const png = PNG.sync.read(buffer);
  const counts = new Map();
  const { data } = png;
  for (let i = 0; i < data.length; i += 4) {
    const key = data.readUInt32BE(i);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let dominant = 0;
  for (const n of counts.values()) dominant = Math.max(dominant, n);
  const pixels = png.width * png.height;
  return {
    width: png.width,
    height: png.height,
    colours: counts.size,
    dominantShare: pixels === 0 ? 1 : dominant / pixels,
  };
}

function pdfPages(buffer) {
  return (buffer.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

async function checkFile(browser, file, stem) {
  const problems = [];
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const at = msg.location();
      const where = at?.url ? ` (at ${at.url}:${at.lineNumber + 1})` : '';
      problems.push(`console error: ${msg.text()}${where}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`uncaught page error: ${err.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  page.on('websocket', (ws) => problems.push(`network: the page opened a WebSocket to ${ws.url()} (a report fetches nothing)`));
  // Every request is seen here; anything not local is refused before it leaves the machine.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL_SCHEMES.some((s) => url.startsWith(s))) return route.continue();
    problems.push(`network: the page requested ${url} (a report must be self-contained: inline it or drop it)`);
    return route.abort('blockedbyclient');
  });

  const url = pathToFileURL(resolve(file)).href;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    await page.evaluate(() => document.fonts.ready.then(() => true));
  } catch (err) {
    problems.push(`could not load: ${err.message.split('\n')[0]}`);
    await context.close();
    return { problems, summary: '' };
  }

  const screen = await inspectPage(page, VIEWPORT.width);
  problems.push(...screen.problems);

  const png = await page.screenshot({ fullPage: true, path: `${stem}.png` });
  const stats = colourStats(png);
  if (stats.colours < MIN_COLOURS || stats.dominantShare > MAX_DOMINANT_SHARE) {
    problems.push(
      `blank screenshot ${stem}.png: ${stats.colours} distinct colour(s), the commonest covers ` +
        `${(100 * stats.dominantShare).toFixed(1)} % of ${stats.width}x${stats.height} px ` +
        `(a page needs at least ${MIN_COLOURS} colours and none over ${100 * MAX_DOMINANT_SHARE} %)`,
    );
  }

  // Print: the same layout checks under print CSS at A4's printable width, then the A4 PDF.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize(PRINT_VIEWPORT);
  const print = await inspectPage(page, PRINT_VIEWPORT.width);
  // A problem seen on screen too is told once, whatever its sizes in print.
  const shape = (p) => p.replace(/\d+(\.\d+)?/g, '#');
  const onScreen = new Set(screen.problems.map(shape));
  for (const p of print.problems) {
    if (!onScreen.has(shape(p))) problems.push(`print: ${p}`);
  }
  const margin = { top: PRINT_MARGIN, right: PRINT_MARGIN, bottom: PRINT_MARGIN, left: PRINT_MARGIN };
  const pdf = await page.pdf({ path: `${stem}.pdf`, format: 'A4', printBackground: true, margin, preferCSSPageSize: true });
  const pages = pdfPages(pdf);
  if (pages === 0) problems.push(`print: the A4 PDF ${stem}.pdf has no page`);
  await context.close();
  const summary =
    `${screen.charts} chart(s), ${screen.tables} table(s); screenshot ${stem}.png ` +
    `${stats.width}x${stats.height} px, ${stats.colours} colours, commonest ` +
    `${(100 * stats.dominantShare).toFixed(1)} %; ${stem}.pdf ${pages} A4 page(s)`;
  return { problems, summary };
}

async function main() {
  const { files, screenshots } = parseArgs(process.argv.slice(2));
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  if (!existsSync(CHROMIUM)) {
    console.error(`ci/browser: ${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or run bash ci/browser.sh`);
    process.exit(3);
  }
  let browser;
  try {
    // launch() starts Chromium with a fresh temporary user-data-dir, removed on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (err) {
    console.error(`ci/browser: could not start ${CHROMIUM}: ${err.message.split('\n')[0]}`);
    process.exit(3);
  }
  const stems = outputStems(files, screenshots);
  let failed = 0;
  for (const [i, file] of files.entries()) {
    let result;
    try {
      result = await checkFile(browser, file, stems[i]);
    } catch (err) {
      if (!browser.isConnected()) {
        console.error(`ci/browser: the browser died while checking ${file}: ${err.message.split('\n')[0]}`);
        process.exit(3);
      }
      result = { problems: [`the check itself failed: ${err.message.split('\n')[0]}`], summary: '' };
    }
    if (result.problems.length === 0) {
      console.log(`ci/browser: PASS ${file}: ${result.summary}`);
    } else {
      failed += 1;
      console.error(`ci/browser: FAIL ${file}: ${result.problems.length} problem(s)`);
      for (const p of result.problems) console.error(`  - ${file}: ${p}`);
    }
  }
  await browser.close();
  console.log(`ci/browser: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

