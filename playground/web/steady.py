"""Charts that redraw without a blank: Train live's six charts, about once a second while it plays.

Streamlit gives a chart a new element id whenever its figure changes (the browser keeps a chart's figure per id),
and its page remounts an element whose id changed: the chart's whole element is taken out of the page and a new
one put in, empty until plotly.js has drawn it. Seen in Chromium while Train live played: each chart was blank for
0.22-0.31 s about once a redraw (the loss chart 15 times in 25 s; ~35 blank frames of ~200 per chart in 20 s).

So a small script in the page (installed once per browser tab) keeps a copy of each keyed chart as drawn (taken
from the screen every 400 ms through a new drawing's first 1.2 s). When Streamlit takes the chart's element out, the copy takes its place at the same
height; when the new element comes, the copy lies over it until plotly.js has drawn the new chart, then goes (after
1.5 s at most). The copy is a picture: no hover, no clicks, for the quarter of a second it shows.
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
  const seen = new Map();  // key -> {svg: the drawing on screen, since: when it came, at: when it was last copied}
  const covers = new Map();  // key -> the copy shown in the chart's place
  const drawn = (box) => {  // the chart's drawing in this keyed element, once plotly.js has shown it
    const svg = box.querySelector(CHART + ' .main-svg');
    return svg && getComputedStyle(svg.closest('.js-plotly-plot')).visibility !== 'hidden' ? svg : null;
  };
  const drop = (key) => { covers.get(key)?.remove(); covers.delete(key); };
  const copy = (box, key) => {
    const inner = box.querySelector(CHART + ' .svg-container');
    if (!inner) return;
    const c = inner.cloneNode(true);
    c.querySelectorAll('.modebar-container').forEach((n) => n.remove());  // (its styles are the chart's own)
    c.querySelectorAll('.main-svg').forEach((n) => {  // plotly.js stacks its layers by a rule of the chart's own:
      Object.assign(n.style, {position: 'absolute', top: '0', left: '0'});  // titles and legend on top
    });
    last.set(key, {svg: c, height: box.getBoundingClientRect().height});
    (window.__steadyCopied ??= {})[key] = performance.now();  // when each copy was taken (tests read it)
  };
  const tick = () => {  // every 100 ms: a drawn chart ends its cover; a new drawing is copied every 400 ms through
    const now = performance.now();  // its first 1.2 s (plotly.js redraws a chart as it mounts; titles and legend
    for (const box of document.querySelectorAll('[class*="st-key-"]')) {  // come last), a chart that stays is not
      const key = keyOf(box);
      const svg = key && drawn(box);
      if (!svg) continue;
      if (covers.has(key)) drop(key);
      let s = seen.get(key);
      if (!s || s.svg !== svg) seen.set(key, s = {svg, since: now, at: -1e9});
      if (now - s.at >= 400 && now - s.since <= 1200) {
        s.at = now;
        copy(box, key);
      }
    }
  };
  setInterval(tick, 100);
  const over = (c, el) => {  // the copy lies over the new element until plotly.js has drawn it
    el.style.position = 'relative';
    Object.assign(c.style, {position: 'absolute', left: '0', top: '0', zIndex: '1'});
    el.appendChild(c);
  };
  const cover = (key, parent, before) => {  // the chart went out of the page: its copy holds the place
    const kept = last.get(key);
    if (!kept || covers.has(key) || !parent.isConnected) return;
    const fresh = [...document.querySelectorAll('.' + key)].find((n) => !n.closest('.steady-cover'));
    if (fresh && drawn(fresh)) return;  // the new one is drawn already
    const c = document.createElement('div');
    c.className = 'steady-cover';
    c.style.cssText = `height:${kept.height}px;pointer-events:none;overflow:hidden;`;
    c.appendChild(kept.svg.cloneNode(true));
    covers.set(key, c);
    if (fresh) over(c, fresh);  // the new element may come before the old one goes
    else parent.insertBefore(c, before && before.parentNode === parent ? before : null);
    setTimeout(() => { if (covers.get(key) === c) drop(key); }, 1500);
  };
  new MutationObserver((muts) => {
    for (const m of muts) {
      for (const n of m.removedNodes) {
        if (n.nodeType !== 1 || !(n.matches(CHART) || n.querySelector(CHART))) continue;
        const key = keyOf(n) || keyOf(m.target.closest?.('[class*="st-key-"]') || m.target);
        if (key) cover(key, m.target, m.nextSibling);
      }
      for (const n of m.addedNodes) {  // a keyed element back in the page: its cover (in the flow) goes over it
        const c = n.nodeType === 1 && keyOf(n) && covers.get(keyOf(n));
        if (c && c.parentNode !== n) over(c, n);
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
})();
</script>"""


def steady_charts() -> None:
    """Install the script (a page whose keyed charts redraw while the user watches: Train live, Read a review). In
    the sidebar: an element in the page's column, empty as it is, would push the first chart down by a gap."""
    st.sidebar.html(SCRIPT, unsafe_allow_javascript=True)
