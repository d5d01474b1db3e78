"""Charts that redraw without a blank: Train live's six charts, about once a second while it plays.

Streamlit gives a chart a new element id whenever its figure changes (the browser keeps a chart's figure per id),
and its page remounts an element whose id changed: the chart's whole element is taken out of the page and a new
one put in, empty until plotly.js has drawn it. Seen in Chromium while Train live played: each chart was blank for
0.22-0.31 s, about once a redraw, and the elements below it moved up and back when its element was out of the page
for a frame (the loss chart, 15 times in 25 s).

So a small script in the page (installed once per browser tab) keeps a copy of each keyed chart as last drawn. When
Streamlit takes the chart's element out, the copy takes its place at the same height; when the new element comes,
the copy lies over it until plotly.js has drawn the new chart, then goes. The copy is a picture: no hover, no
clicks, for the quarter of a second it shows.
"""
from __future__ import annotations

import streamlit as st

SCRIPT = """<script>
(() => {
  if (window.__steadyCharts) return;
  window.__steadyCharts = true;
  const CHART = '[data-testid="stPlotlyChart"]';
  const keyOf = (el) => [...(el.classList || [])].find((c) => c.startsWith('st-key-')) || null;
  const last = new Map();  // key -> {svg: a copy of the chart as last drawn, height}
  const covers = new Map();  // key -> the copy shown in the chart's place
  const drawn = (el) => {
    const svg = el.querySelector(CHART + ' .main-svg');
    return svg && getComputedStyle(svg.closest('.js-plotly-plot')).visibility !== 'hidden' ? svg : null;
  };
  const keep = (el, key, tries = 0) => {  // once plotly.js has drawn the new chart: copy it, drop the cover
    if (!el.isConnected) return;
    if (!drawn(el)) { if (tries < 300) requestAnimationFrame(() => keep(el, key, tries + 1)); return; }
    requestAnimationFrame(() => {  // drawn in this frame: the cover goes in the next
      covers.get(key)?.remove();
      covers.delete(key);
      const box = el.querySelector(CHART + ' .svg-container');
      if (box) last.set(key, {svg: box.cloneNode(true), height: el.getBoundingClientRect().height});
    });
  };
  const over = (c, el) => {  // the copy lies over the new element until plotly.js has drawn it
    el.style.position = 'relative';
    Object.assign(c.style, {position: 'absolute', left: '0', top: '0', zIndex: '1'});
    el.appendChild(c);
  };
  const cover = (key, parent, before) => {  // the chart's element went out: its copy holds the place
    const copy = last.get(key);
    if (!copy || covers.has(key) || !parent.isConnected) return;
    const c = document.createElement('div');
    c.className = 'steady-cover';
    c.style.cssText = `height:${copy.height}px;pointer-events:none;overflow:hidden;`;
    c.appendChild(copy.svg.cloneNode(true));
    covers.set(key, c);
    const fresh = document.querySelector('.' + key);  // the new element may come before the old one goes
    if (fresh && !drawn(fresh)) over(c, fresh);
    else if (!fresh) parent.insertBefore(c, before && before.parentNode === parent ? before : null);
    else { covers.delete(key); return; }  // drawn already: nothing to cover
    setTimeout(() => { if (covers.get(key) === c) { c.remove(); covers.delete(key); } }, 1500);
  };
  const arrived = (el, key) => {
    const c = covers.get(key);
    if (c) over(c, el);
    keep(el, key);
  };
  const charts = (n) => n.nodeType === 1 && keyOf(n) && n.querySelector(CHART);
  new MutationObserver((muts) => {
    for (const m of muts) {
      for (const n of m.removedNodes) if (charts(n)) cover(keyOf(n), m.target, m.nextSibling);
      for (const n of m.addedNodes) if (charts(n)) arrived(n, keyOf(n));
    }
  }).observe(document.body, {childList: true, subtree: true});
  document.querySelectorAll('[class*="st-key-"]').forEach((n) => { if (charts(n)) keep(n, keyOf(n)); });
})();
</script>"""


def steady_charts() -> None:
    """Install the script (a page whose keyed charts redraw while the user watches: Train live, Read a review). In
    the sidebar: an element in the page's column, empty as it is, would push the first chart down by a gap."""
    st.sidebar.html(SCRIPT, unsafe_allow_javascript=True)
