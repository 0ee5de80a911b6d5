// The in-page half of the browser check: layout, chart and overflow checks run inside Chromium
// on the rendered page. `inspectPage(page, width)` returns { problems, charts, tables }.
// The rules are written down in docs/reports.md ("Checking a report in a real browser").

/* global document, window, getComputedStyle, SVGGraphicsElement */

export async function inspectPage(page, viewportWidth) {
  return page.evaluate(inPage, { viewportWidth });
}

// Runs in the page: no closure over node's scope.
function inPage({ viewportWidth }) {
  const problems = [];
  const TOLERANCE = 1; // px: rounding of layout to device pixels
  const MIN_CHART_SVG_PX = 64; // smaller inline svgs are icons, not charts
  const BACKGROUND_SHARE = 0.9;

  const snippet = (text, n = 60) => {
    const t = (text ?? '').replace(/\s+/g, ' ').trim();
    return t.length > n ? `${t.slice(0, n - 1)}…` : t;
  };
  const chartTitle = (el) => {
    const fig = el.closest('figure.chart');
    const cap = fig?.querySelector(':scope > figcaption');
    return fig ? `chart "${snippet(cap?.textContent) || '(no caption)'}"` : null;
  };
  const where = (el) => {
    const chart = chartTitle(el);
    if (chart) return ` in ${chart}`;
    const table = el.closest('table');
    if (table) {
      const cap = table.querySelector('caption') ?? table.querySelector('th');
      return ` in table "${snippet(cap?.textContent, 40)}"`;
    }
    const section = el.closest('section');
    const h = section?.querySelector('h1, h2, h3');
    return h && h !== el ? ` in section "${snippet(h.textContent, 40)}"` : '';
  };
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = el.closest('svg') ? '' : snippet(el.textContent);
    return `<${el.tagName.toLowerCase()}${id}${cls}>${text ? ` "${text}"` : ''}${where(el)}`;
  };

  // 1. The page fits the A4-wide viewport.
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > viewportWidth + TOLERANCE) {
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') return false;
      const right = el.getBoundingClientRect().right + window.scrollX;
      const parent = el.parentElement;
      const parentRight = parent ? parent.getBoundingClientRect().right + window.scrollX : 0;
      return right > viewportWidth + TOLERANCE && (parent === document.body || parentRight <= viewportWidth + TOLERANCE);
    });
    const culprits = wide.slice(0, 3).map((el) => `${describe(el)} reaches ${Math.round(el.getBoundingClientRect().right + window.scrollX)} px`);
    problems.push(
      `page wider than the ${viewportWidth} px (A4) viewport: ${pageWidth} px` +
        (culprits.length ? `; ${culprits.join('; ')}` : ''),
    );
  }

  // 2. Text overflowing its box: text blocks always; any box that clips or scrolls its content.
  const TEXT_BOXES = 'td, th, caption, h1, h2, h3, h4, h5, h6, p, figcaption, li, dt, dd, summary, pre, label';
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;
    const style = getComputedStyle(el);
    // Inline boxes have no scroll box; 1-px boxes are visually hidden text for screen readers.
    if (style.display === 'none' || style.display === 'inline' || el.clientWidth <= 1 || el.clientHeight <= 1) continue;
    const clips = ['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX) || ['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowY);
    if (!el.matches(TEXT_BOXES) && !clips) continue;
    const overX = el.scrollWidth - el.clientWidth;
    const overY = el.scrollHeight - el.clientHeight;
    if (overX > TOLERANCE || overY > TOLERANCE) {
      const parts = [];
      if (overX > TOLERANCE) parts.push(`${el.scrollWidth} px of content in ${el.clientWidth} px wide`);
      if (overY > TOLERANCE) parts.push(`${el.scrollHeight} px of content in ${el.clientHeight} px high`);
      problems.push(`text overflows its box: ${describe(el)}: ${parts.join(', ')}`);
    }
  }

  // 3. Charts: the contract, marks, finite coordinates, SVG text inside the svg.
  const figures = [...document.querySelectorAll('figure.chart')];
  if (figures.length === 0) {
    problems.push('no chart: the page has no <figure class="chart"> (every chart is one, with an inline <svg> and a <figcaption>)');
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.parentElement?.closest('svg')) continue;
    if (svg.closest('figure.chart')) continue;
    const r = svg.getBoundingClientRect();
    if (r.width >= MIN_CHART_SVG_PX && r.height >= MIN_CHART_SVG_PX) {
      problems.push(`an <svg> of ${Math.round(r.width)}x${Math.round(r.height)} px outside <figure class="chart">${where(svg)}: wrap every chart in the figure contract so it is checked`);
    }
  }

  const paint = (value, opacity) => {
    if (!value || value === 'none' || value === 'transparent') return null;
    const m = value.match(/^rgba?\(([^)]*)\)$/);
    if (!m) return { value, white: false }; // url(#gradient) and the like: visible
    const [r, g, b, a = '1'] = m[1].split(/[\s,/]+/).filter(Boolean);
    if (Number(a) * Number(opacity) <= 0) return null;
    return { value, white: Number(r) >= 250 && Number(g) >= 250 && Number(b) >= 250 };
  };
  const MARK_TAGS = 'polyline, polygon, path, circle, ellipse, rect';

  figures.forEach((fig, index) => {
    const caption = fig.querySelector(':scope > figcaption');
    const svg = fig.querySelector('svg');
    const name = caption && snippet(caption.textContent) ? `chart "${snippet(caption.textContent)}"` : `chart ${index + 1}`;
    if (!caption) problems.push(`${name} has no <figcaption> (its title, for readers and for this check)`);
    else if (!snippet(caption.textContent)) problems.push(`${name} has an empty <figcaption>`);
    if (!svg) {
      problems.push(`${name} has no inline <svg> (an <img> or <object> is not checked and may not be self-contained)`);
      return;
    }
    const box = svg.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) {
      problems.push(`${name}: its <svg> has no size (${Math.round(box.width)}x${Math.round(box.height)} px)`);
      return;
    }

    // Non-finite numbers anywhere in the chart's markup.
    const nonFinite = [];
    for (const el of svg.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/\bNaN\b|Infinity|\binf\b/i.test(attr.value) && attr.name !== 'class' && attr.name !== 'id') {
          nonFinite.push(`<${el.tagName} ${attr.name}="${snippet(attr.value, 40)}">`);
        }
      }
    }
    if (nonFinite.length) problems.push(`${name}: non-finite coordinates in ${nonFinite.length} element(s), e.g. ${nonFinite[0]}`);

    // Marks: visible, non-degenerate data elements inside the plot area. What plotters' SVG
    // backend emits: grid lines are <line>; axes and ticks are 2-point straight <polyline>s, as
    // are the dated-measure rules; the background is a <rect> over the whole svg; legend glyphs
    // (short lines, small rects) sit outside the grid. So: <line> is never a mark; a
    // polyline/path is one when it has 3 or more points or is not horizontal or vertical; a
    // polygon when it has an area; a circle or ellipse when it has a radius; a rect when it is
    // filled with a colour other than white and covers less than 90 % of the svg. Only marks
    // that touch the plot area count: the box of the svg's <line>s, or the whole svg if none.
    const vb = svg.viewBox?.baseVal;
    const svgArea = vb && vb.width > 0 && vb.height > 0 ? vb.width * vb.height : box.width * box.height;
    let plot = null;
    for (const line of svg.querySelectorAll('line')) {
      const b = line.getBBox();
      plot = plot
        ? { x0: Math.min(plot.x0, b.x), y0: Math.min(plot.y0, b.y), x1: Math.max(plot.x1, b.x + b.width), y1: Math.max(plot.y1, b.y + b.height) }
        : { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
    }
    const inPlot = (b) => !plot || (b.x <= plot.x1 && b.x + b.width >= plot.x0 && b.y <= plot.y1 && b.y + b.height >= plot.y0);
    const FLAT = 0.5; // px: a box this thin is a horizontal or vertical line
    let marks = 0;
    for (const el of svg.querySelectorAll(MARK_TAGS)) {
      if (!(el instanceof SVGGraphicsElement)) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const style = getComputedStyle(el);
      const fill = paint(style.fill, style.fillOpacity);
      const stroke = Number.parseFloat(style.strokeWidth) > 0 ? paint(style.stroke, style.strokeOpacity) : null;
      if (!fill && !stroke) continue;
      const bb = el.getBBox();
      const flat = bb.width < FLAT || bb.height < FLAT;
      if (bb.width < FLAT && bb.height < FLAT) continue;
      const tag = el.tagName.toLowerCase();
      let mark;
      if (tag === 'polyline') mark = el.points.numberOfItems >= 3 || !flat;
      else if (tag === 'path') mark = (el.getAttribute('d')?.match(/[a-df-z]/gi)?.length ?? 0) >= 3 || !flat;
      else if (tag === 'polygon') mark = !flat && Boolean(fill);
      else if (tag === 'rect') mark = !flat && Boolean(fill) && !fill.white && bb.width * bb.height < BACKGROUND_SHARE * svgArea;
      else mark = !flat; // circle, ellipse
      if (mark && inPlot(bb)) marks += 1;
    }
    if (marks === 0) {
      problems.push(`${name} has no marks: its <svg> holds no visible ${MARK_TAGS.replaceAll(', ', '/')} (axes, grid lines and text alone are not data)`);
    }

    // SVG text inside its svg's box (rotated labels measured as drawn).
    const outside = [];
    for (const text of svg.querySelectorAll('text')) {
      if (!snippet(text.textContent)) continue;
      if (!text.checkVisibility({ visibilityProperty: true })) continue;
      const t = text.getBoundingClientRect();
      const past = [];
      if (t.left < box.left - TOLERANCE) past.push(`${Math.round(box.left - t.left)} px left`);
      if (t.right > box.right + TOLERANCE) past.push(`${Math.round(t.right - box.right)} px right`);
      if (t.top < box.top - TOLERANCE) past.push(`${Math.round(box.top - t.top)} px above`);
      if (t.bottom > box.bottom + TOLERANCE) past.push(`${Math.round(t.bottom - box.bottom)} px below`);
      if (past.length) outside.push(`"${snippet(text.textContent, 40)}" sticks out ${past.join(', ')}`);
    }
    if (outside.length) {
      problems.push(`${name}: SVG text outside its ${Math.round(box.width)}x${Math.round(box.height)} px box: ${outside.slice(0, 3).join('; ')}${outside.length > 3 ? ` (and ${outside.length - 3} more)` : ''}`);
    }
  });

  return { problems, charts: figures.length, tables: document.querySelectorAll('table').length };
}
