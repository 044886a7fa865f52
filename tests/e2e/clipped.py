"""What a person sees cut off, checked in the browser: a data grid's header or cell wider than
its column (the grid draws on a canvas and ends such text with "…"; the column widths and the
text as drawn are read from the grid's own state, the text measured in the grid's font), and
headings, metrics, tabs, buttons, table cells and paragraphs cut by CSS (hidden overflow or an
ellipsis). A grid whose rows are taller than one line wraps text: there a cell may take as many
lines as the row holds. A grid wider than its box must scroll with its first column pinned
(else the columns past the right edge are out of sight)."""

CLIPPED = r"""() => {
  const problems = [];
  const canvas = document.createElement('canvas'); const ctx = canvas.getContext('2d');
  const width = (text, font) => { ctx.font = font; return ctx.measureText(text).width; };
  // data grids (drawn on canvas): each header and cell against its column's width
  for (const el of document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')) {
    const key = Object.keys(el).find(k => k.startsWith('__reactFiber'));
    let f = el[key], props = null;
    for (let i = 0; f && i < 60; i++, f = f.return) {
      const p = f.memoizedProps;
      if (p && Array.isArray(p.columns) && p.getCellContent && p.theme) { props = p; break; }
    }
    if (!props) { problems.push({kind: 'grid', text: 'grid state not found'}); continue; }
    const t = props.theme, pad = t.cellHorizontalPadding;
    const cellFont = `${t.baseFontStyle} ${t.fontFamily}`;
    const headFont = `${t.headerFontStyle} ${t.fontFamily}`;
    const rows = Math.min(props.rows, 400);
    props.columns.forEach((c, ci) => {
      // a grid with taller rows wraps long text onto more lines (the returns' findings)
      // (Streamlit lets the grid wrap only in rows taller than 4 rem)
      const lines = props.rowHeight > 64 ? Math.max(1, Math.floor((props.rowHeight - 16) / 21)) : 1;
      const room = c.width - 2 * pad + 1;
      if (c.title && width(c.title, headFont) > room)
        problems.push({kind: 'header', text: c.title, need: Math.ceil(width(c.title, headFont) + 2 * pad), width: c.width});
      for (let r = 0; r < rows; r++) {
        const cell = props.getCellContent([ci, r]);
        // text and number cells carry displayData; date and time cells are custom cells with
        // the text in data.displayDate
        const shown = cell && (cell.displayData ?? cell.data?.displayDate ??
                               (typeof cell.data === 'string' ? cell.data : null));
        if (typeof shown === 'string' && shown && width(shown, cellFont) > room * (lines > 1 ? lines * 0.85 : 1)) {
          problems.push({kind: 'cell', column: c.title, text: shown, need: Math.ceil(width(shown, cellFont) + 2 * pad), width: c.width});
          break;  // one per column is enough to name it
        }
      }
    });
    // wider than its box: the columns past the right edge are out of sight unless the grid
    // scrolls with its first column (the row's name) pinned (a matrix of quarters)
    const total = props.columns.reduce((a, c) => a + c.width, 0);
    if (total > el.clientWidth + 1 && !(props.freezeColumns > 0))
      problems.push({kind: 'wide', text: props.columns.map(c => c.title).join(' | ').slice(0, 80), need: Math.ceil(total), width: el.clientWidth});
  }
  // text cut by CSS (ellipsis or hidden overflow): headings, metrics, tabs, buttons, tables
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const sel = 'h1,h2,h3,h4,h5,h6,[data-testid="stMetricLabel"],[data-testid="stMetricValue"],[data-testid="stMetricDelta"],[role="tab"] p,button p,[data-testid="stTable"] th,[data-testid="stTable"] td,[data-testid="stMarkdownContainer"] p,[data-testid="stCaptionContainer"],label p';
  for (const el of main.querySelectorAll(sel)) {
    if (!el.offsetParent) continue;  // not shown (a closed expander, another tab)
    let cut = false;
    for (let e = el, i = 0; e && i < 4; e = e.parentElement, i++) {
      const cs = getComputedStyle(e);
      if ((cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis') && e.scrollWidth > e.clientWidth + 1) { cut = true; break; }
    }
    if (cut) problems.push({kind: 'text', text: el.innerText.slice(0, 80)});
  }
  return problems;
}
"""
