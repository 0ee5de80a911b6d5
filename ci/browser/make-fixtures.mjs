// Writes the browser check's fixtures (tests/fixtures/report_html/) from a real run's charts:
// one good page (real plotters SVGs wrapped in the figure contract) and one bad page per failure
// the check must catch. Run it only to refresh the fixtures (see that folder's README.md):
//
//   chokepoint run scenarios/list_expansion_2025_10.toml --reps 50 --out /tmp/r
//   chokepoint plot /tmp/r --series price_ratio/dy --title "..." --ylabel "..."   # and two more
//   node ci/browser/make-fixtures.mjs /tmp/r
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'fixtures', 'report_html');
const run = process.argv[2];
if (!run) {
  console.error('usage: node ci/browser/make-fixtures.mjs RUN_DIR (with plots/price_ratio_dy.svg, plots/halted_share.svg, plots/licence_backlog.svg)');
  process.exit(2);
}

const svg = (name) => readFileSync(join(run, 'plots', `${name}.svg`), 'utf8').trim();
const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
const summary = Object.fromEntries(
  readFileSync(join(run, 'summary.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [metric, , mean, , lo, hi, p5, , p50, , p95] = line.split(',');
      return [metric, { mean: +mean, lo: +lo, hi: +hi, p5: +p5, p50: +p50, p95: +p95 }];
    }),
);

const num = (x, digits) => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ROWS = [
  ['any_halt', 'Chance that some importing firm halts', '%', (x) => num(100 * x, 0)],
  ['weeks_to_first_halt', 'Weeks from the first control to the first halt', 'weeks', (x) => num(x, 1)],
  ['peak_halted_share', 'Largest share of importing firms halted at once', '%', (x) => num(100 * x, 0)],
  ['unmet_magnet_t', 'Magnet output lost', 't', (x) => num(x, 0)],
  ['peak_price_ratio/dy', 'Highest Dy oxide price, relative to base', '× base', (x) => num(x, 1)],
  ['total_cost_usd', 'Lost value added plus stockpile cost', 'USD bn', (x) => num(x / 1e9, 1)],
];
const headline = (rowClass = '') => `<table class="headline">
  <caption>What the model expects over five years (${manifest.replications} replications)</caption>
  <thead><tr><th>Outcome</th><th>Unit</th><th>Mean</th><th>95 % interval of the mean</th><th>5th–95th percentile</th></tr></thead>
  <tbody>
${ROWS.map(([m, words, unit, f]) => {
  const s = summary[m];
  return `    <tr${rowClass}><td>${words}</td><td>${unit}</td><td class="num">${f(s.mean)}</td><td class="num">${f(s.lo)} – ${f(s.hi)}</td><td class="num">${f(s.p5)} – ${f(s.p95)}</td></tr>`;
}).join('\n')}
  </tbody>
</table>`;

const figure = (body, caption) => `<figure class="chart">
${body}
<figcaption>${caption}</figcaption>
</figure>`;
const CAPTIONS = {
  price_ratio_dy: 'Dysprosium oxide price relative to base: median, 25–75 % and 5–95 % of replications; pink lines mark the measures',
  halted_share: 'Share of importing firms halted each week',
  licence_backlog: 'Licence applications queued or under review',
};
const chart = (name, transform) => {
  const original = svg(name);
  const body = transform ? transform(original) : original;
  if (transform && body === original) throw new Error(`${name}.svg: the fixture's change did not apply (plotters' output changed?)`);
  return figure(body, CAPTIONS[name]);
};

const STYLE = `<style>
  :root { font-family: system-ui, "DejaVu Sans", sans-serif; color: #111; }
  body { max-width: 760px; margin: 0 auto; padding: 16px; line-height: 1.4; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
  table { border-collapse: collapse; width: 100%; font-size: .85rem; }
  caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
  th, td { border-bottom: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  figure.chart { margin: 1rem 0; break-inside: avoid; }
  figure.chart svg { display: block; width: 100%; height: auto; }
  figcaption { font-size: .85rem; color: #333; }
  footer { margin-top: 2rem; font-size: .75rem; color: #444; }
  footer code { overflow-wrap: anywhere; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  @media print { body { max-width: none; padding: 0; } }
</style>`;

const page = (title, body, head = '') => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${STYLE}${head}
</head>
<body>
${body}
</body>
</html>
`;

const scenario = manifest.resolved_scenario.match(/^description = "(.*)"$/m)?.[1] ?? '';
const intro = `<h1>list_expansion_2025_10</h1>
<p>${scenario}. Model output for a test fixture of the browser check, not a briefing.</p>`;
const footer = `<footer>chokepoint ${manifest.chokepoint_version}, seed ${manifest.seed}, ${manifest.replications} replications, scenario SHA-256 <code>${manifest.scenario_sha256}</code>; command: <code>chokepoint run ${manifest.scenario_path} --reps ${manifest.replications} --out /tmp/r</code></footer>`;

// Charts without data: only the background, grid lines, axes, ticks, text, measure rules and the
// legend remain (what a chart of an empty or all-NaN series would show).
const axesOnly = (s) =>
  s
    .replace(/<polygon[^>]*\/>\n?/g, '')
    .replace(/<polyline(?=[^>]*points="(?:\s*[\d.-]+,[\d.-]+){3,})[^>]*\/>\n?/g, '');
const longTitle = (s) =>
  s.replace(/>\nDysprosium oxide price relative to base\n</, '>\nDysprosium oxide price relative to its base price in the list-expansion scenario, median and bands across all replications of the run\n<');
const nanPoint = (s) => s.replace(/(<polyline fill="none" opacity="1" stroke="#0072B2" stroke-width="2" points=")(\d+),(\d+) /, '$1$2,NaN ');

const HOVER = `<script>
  for (const fig of document.querySelectorAll('figure.chart')) {
    const svg = fig.querySelector('svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', fig.querySelector('figcaption').textContent);
  }
</script>`;

const fixtures = {
  // What a real report may also hold and must still pass: text for screen readers only, a small
  // icon svg, and a script (hover values) that runs without error.
  'good.html': page(
    'Good report',
    `${intro}\n${headline()}\n<p class="visually-hidden">The charts below show the median and the 25–75 % and 5–95 % bands of all replications.</p>\n<h2>Prices <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="#0072B2"/></svg></h2>\n${chart('price_ratio_dy')}\n<h2>Firms and licences</h2>\n${chart('halted_share')}\n${chart('licence_backlog')}\n${footer}\n${HOVER}`,
  ),
  'bad-console-error.html': page('Console error', `${intro}\n${chart('halted_share')}\n<script>console.error("report: no data for series exports_t/ndfeb");</script>\n${footer}`),
  'bad-page-error.html': page('Uncaught error', `${intro}\n${chart('halted_share')}\n<script>document.querySelector("#hover-values").dataset.ready = "yes";</script>\n${footer}`),
  'bad-axes-only.html': page('Chart without marks', `${intro}\n${chart('halted_share')}\n${chart('price_ratio_dy', axesOnly)}\n${footer}`),
  'bad-table-cell.html': page(
    'Overflowing table cell',
    `${intro}\n${headline(' class="squeezed"')}\n${chart('halted_share')}\n${footer}`,
    '\n<style>table.headline { table-layout: fixed; } tr.squeezed td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }</style>',
  ),
  'bad-svg-text.html': page('SVG text outside its box', `${intro}\n${chart('price_ratio_dy', longTitle)}\n${footer}`),
  'bad-network.html': page(
    'External fetch',
    `${intro}\n${chart('halted_share')}\n${footer}`,
    '\n<link rel="stylesheet" href="https://fonts.example.invalid/css2?family=Inter">',
  ),
  'bad-blank.html': page('Blank', ''),
  'bad-wide-page.html': page(
    'Page wider than A4',
    `${intro}\n${chart('halted_share', (s) => s.replace('<svg width="800"', '<svg style="width: 1100px; max-width: none" width="800"'))}\n${footer}`,
  ),
  'bad-nan.html': page('NaN coordinate', `${intro}\n${chart('price_ratio_dy', nanPoint)}\n${footer}`),
};

for (const [name, html] of Object.entries(fixtures)) {
  writeFileSync(join(out, name), html);
  console.log(`wrote ${join(out, name)} (${html.length} bytes)`);
}
