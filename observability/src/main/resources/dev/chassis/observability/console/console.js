// The Chassis console: one service and the system it belongs to. Plain JavaScript, no dependency.
// Everything comes from the service's own endpoints: /console/api/*, /health/*, /observe/traces.
'use strict';

const HEALTH_EVERY_MS = 2000;
const METRICS_EVERY_MS = 3000;
const TRACES_EVERY_MS = 5000;
const MAP_EVERY_MS = 10000;
const WINDOW_MS = 5 * 60 * 1000; // rates and percentiles cover at most the last five minutes
const COLORS = ['#3a6fd8', '#e07b24', '#2a9d5c', '#a14fc2', '#d6336c', '#0f9bb5', '#8a6d1f', '#5c6b80'];

const $ = (id) => document.getElementById(id);
// Chassis' own endpoints (and the console's polling): traced and measured when there is no management port
const OPERATIONAL = /^(GET|HEAD) \/(console|health|observe|metrics|info|openapi)(\/|$)/;
const hideOperational = () => $('hide-operational').checked;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'class') e.className = v; else if (k === 'style') e.style.cssText = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch (e) { /* not JSON */ }
  return { status: res.status, body };
}

function fill(tbody, rows, emptyText, columns) {
  tbody.replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { class: 'empty', colspan: columns }, emptyText))]));
}

function fmt(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toFixed(digits === undefined ? 1 : digits);
}

// An ISO-8601 instant in milliseconds, keeping the sub-millisecond digits Date.parse drops.
function millis(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso || '');
  if (!m) return Date.parse(iso);
  return Date.parse(m[1] + m[3]) + (m[2] ? Number('0.' + m[2]) * 1000 : 0);
}

// ---- Service ------------------------------------------------------------------------------------------------------

let about = null;

async function loadService() {
  const { body } = await getJson('/console/api/service');
  about = body;
  $('service-name').textContent = body.name;
  $('service-version').textContent = body.version;
  document.title = body.name + ' · Chassis console';
  renderFacts();
  setInterval(renderFacts, 1000);
}

function renderFacts() {
  if (!about) return;
  const up = Math.max(0, Math.floor((Date.now() - millis(about.startTime)) / 1000));
  const uptime = (up >= 86400 ? Math.floor(up / 86400) + 'd ' : '') + new Date(up * 1000).toISOString().substring(11, 19);
  $('service-facts').replaceChildren(
    el('span', { id: 'service-instance' }, 'instance ' + about.instanceId),
    el('span', { id: 'service-uptime' }, 'up ' + uptime),
    el('span', { id: 'service-profile' }, 'profile ' + (about.profile || 'none')),
    el('span', {}, about.protocols.join(', ')));
}

async function refreshHealth() {
  const rows = [];
  for (const probe of ['live', 'ready', 'started']) {
    try {
      const { status, body } = await getJson('/health/' + probe);
      if (!body || !body.status) {
        rows.push(el('tr', {}, el('td', {}, probe), el('td', { class: 'empty', colspan: 3 }, 'not served (' + status + ')')));
        continue;
      }
      const checks = body.checks && body.checks.length ? body.checks : [{ name: '(no check)', status: body.status }];
      for (const c of checks) {
        rows.push(el('tr', { 'data-probe': probe, 'data-check': c.name },
          el('td', {}, probe), el('td', {}, c.name), el('td', { class: c.status }, c.status),
          el('td', {}, c.data ? JSON.stringify(c.data) : '')));
      }
    } catch (e) {
      rows.push(el('tr', {}, el('td', {}, probe), el('td', { class: 'DOWN', colspan: 3 }, 'unreachable: ' + e.message)));
    }
  }
  fill($('health').tBodies[0], rows, 'no health endpoint', 4);
}

// ---- Traffic, messaging and data (from /console/api/metrics) ------------------------------------------------------

const readings = []; // {t, series}, oldest first, covering WINDOW_MS
const sortState = { routes: { key: 'total', desc: true }, clients: { key: 'total', desc: true } };

function isError(a) {
  return a['error.type'] !== undefined || (a['http.response.status_code'] || 0) >= 500
    || (a['rpc.grpc.status_code'] !== undefined && a['rpc.grpc.status_code'] !== 0);
}

// Histograms grouped into rows: key -> {count, errors, bounds, counts}.
function group(series, pick) {
  const rows = new Map();
  for (const s of series) {
    if (s.kind !== 'histogram') continue;
    const key = pick(s);
    if (!key) continue;
    let r = rows.get(key);
    if (!r) { r = { count: 0, errors: 0, bounds: s.bounds, counts: s.counts.map(() => 0) }; rows.set(key, r); }
    r.count += s.count;
    if (isError(s.attributes)) r.errors += s.count;
    s.counts.forEach((c, i) => { r.counts[i] += c; });
  }
  return rows;
}

function served(s) {
  const a = s.attributes;
  if (s.name === 'http.server.request.duration') return (a['http.request.method'] || '') + ' ' + (a['http.route'] || '(no route)');
  if (s.name === 'rpc.server.call.duration') return 'gRPC ' + a['rpc.service'] + '/' + a['rpc.method'];
  return null;
}

function called(s) {
  const a = s.attributes;
  const target = a['peer.service'] || a['server.address'];
  if (s.name === 'http.client.request.duration') return target + ' (http)';
  if (s.name === 'rpc.client.call.duration') return target + ' (gRPC ' + a['rpc.method'] + ')';
  return null;
}

// The q-quantile of a bucketed histogram, in ms, interpolated within its bucket.
function quantile(bounds, counts, q) {
  const total = counts.reduce((x, y) => x + y, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (seen + counts[i] >= rank && counts[i] > 0) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      const upper = i < bounds.length ? bounds[i] : bounds[bounds.length - 1];
      return (lower + (upper - lower) * ((rank - seen) / counts[i])) * 1000;
    }
    seen += counts[i];
  }
  return bounds[bounds.length - 1] * 1000;
}

// Rows over the window: the newest reading minus the oldest one kept (or since start when there is one reading).
function windowRows(pick) {
  const now = readings[readings.length - 1];
  const base = readings.length > 1 ? readings[0] : null;
  const current = group(now.series, (s) => {
    const name = pick(s);
    return name && hideOperational() && OPERATIONAL.test(name) ? null : name;
  });
  const before = base ? group(base.series, pick) : new Map();
  const seconds = base ? (now.t - base.t) / 1000 : null;
  const rows = [];
  for (const [name, r] of current) {
    const b = before.get(name);
    const count = r.count - (b ? b.count : 0);
    const errors = r.errors - (b ? b.errors : 0);
    const counts = r.counts.map((c, i) => c - (b ? b.counts[i] : 0));
    rows.push({ name, total: r.count, count, rate: seconds ? count / seconds : null,
      errorShare: count > 0 ? errors / count : null, p50: quantile(r.bounds, counts, 0.5),
      p99: quantile(r.bounds, counts, 0.99) });
  }
  return rows;
}

function renderTraffic(table, rows) {
  const state = sortState[table];
  rows.sort((x, y) => {
    const a = x[state.key]; const b = y[state.key];
    const c = typeof a === 'string' ? a.localeCompare(b) : (a === null ? -1 : b === null ? 1 : a - b);
    return state.desc ? -c : c;
  });
  fill($(table).tBodies[0], rows.map((r) => el('tr', { 'data-name': r.name },
    el('td', {}, r.name), el('td', { class: 'num' }, fmt(r.rate, 2)),
    el('td', { class: 'num' + (r.errorShare > 0 ? ' ERROR' : '') }, r.errorShare === null ? '—' : fmt(r.errorShare * 100) + ' %'),
    el('td', { class: 'num' }, fmt(r.p50)), el('td', { class: 'num' }, fmt(r.p99)), el('td', { class: 'num' }, r.total))),
  table === 'routes' ? 'no request served yet' : 'no call made yet', 6);
}

function renderResilience(series) {
  const rows = [];
  for (const s of series) {
    if (s.name === 'resilience4j.circuitbreaker.state' && s.value === 1) {
      const calls = series.filter((c) => c.name === 'resilience4j.circuitbreaker.calls' && c.attributes.name === s.attributes.name)
        .map((c) => c.attributes.kind + ' ' + c.value).join(', ');
      rows.push(el('tr', { 'data-breaker': s.attributes.name }, el('td', {}, 'circuit breaker ' + s.attributes.name),
        el('td', { class: s.attributes.state }, s.attributes.state), el('td', {}, calls)));
    }
  }
  const retries = new Map();
  for (const s of series.filter((c) => c.name === 'resilience4j.retry.calls')) {
    retries.set(s.attributes.name, (retries.has(s.attributes.name) ? retries.get(s.attributes.name) + ', ' : '')
      + s.attributes.kind + ' ' + s.value);
  }
  for (const [name, calls] of retries) {
    rows.push(el('tr', {}, el('td', {}, 'retry ' + name), el('td', {}, ''), el('td', {}, calls)));
  }
  for (const s of series.filter((c) => c.name === 'chassis.client.retry.budget.remaining')) {
    rows.push(el('tr', { 'data-budget': s.attributes.name }, el('td', {}, 'retry budget ' + s.attributes.name),
      el('td', { class: s.value === 0 ? 'ERROR' : null }, s.value === 0 ? 'spent' : 'available'),
      el('td', {}, s.value + ' retries left')));
  }
  fill($('resilience').tBodies[0], rows, 'no circuit breaker or retry has run (chassis-resilience)', 3);
}

const DATA_PREFIXES = ['messaging.', 'chassis.outbox.', 'chassis.inbox.', 'db.client.'];

function renderData(series) {
  const data = series.filter((s) => DATA_PREFIXES.some((p) => s.name.startsWith(p)));
  const rows = data.map((s) => el('tr', { 'data-metric': s.name },
    el('td', {}, s.name), el('td', {}, Object.entries(s.attributes).map(([k, v]) => k + '=' + v).join(' ')),
    el('td', { class: 'num' }, s.kind === 'histogram' ? s.count + ' (' + fmt(s.count ? s.sum / s.count * 1000 : null) + ' ms avg)'
      : fmt(s.value, Number.isInteger(s.value) ? 0 : 3))));
  fill($('data').tBodies[0], rows, 'no consumer, outbox or pool in this service', 3);
}

async function refreshMetrics() {
  const { status, body } = await getJson('/console/api/metrics');
  if (status !== 200) return;
  readings.push({ t: body.epochMillis, series: body.series });
  while (readings.length > 2 && body.epochMillis - readings[1].t >= WINDOW_MS) readings.shift();
  const seconds = readings.length > 1 ? Math.round((body.epochMillis - readings[0].t) / 1000) : 0;
  $('traffic-window').textContent = seconds ? 'rate and percentiles over the last ' + seconds + ' s; total since start'
    : 'since start (rates after the next reading)';
  renderTraffic('routes', windowRows(served));
  renderTraffic('clients', windowRows(called));
  renderResilience(body.series);
  renderData(body.series);
}

function sortable(table) {
  for (const th of $(table).tHead.rows[0].cells) {
    th.addEventListener('click', () => {
      const state = sortState[table];
      state.desc = state.key === th.dataset.key ? !state.desc : th.dataset.key !== 'name';
      state.key = th.dataset.key;
      if (readings.length) renderTraffic(table, windowRows(table === 'routes' ? served : called));
    });
  }
}

// ---- Configuration ------------------------------------------------------------------------------------------------

let settings = [];

async function loadConfig() {
  const { body } = await getJson('/console/api/config');
  settings = body.settings;
  $('profile').textContent = 'profile: ' + (body.profile || 'none');
  renderConfig();
}

function renderConfig() {
  const filter = $('config-filter').value.trim();
  const setOnly = $('config-set-only').checked;
  const rows = settings.filter((s) => s.key.includes(filter) && (!setOnly || s.source !== 'default')).map((s) =>
    el('tr', { 'data-key': s.key, title: s.description || '' }, el('td', {}, s.key),
      el('td', { class: s.secret ? 'secret' : null }, s.value === null || s.value === undefined ? '' : s.value),
      el('td', {}, s.source)));
  fill($('config').tBodies[0], rows, 'no setting matches', 3);
}

// ---- Traces -------------------------------------------------------------------------------------------------------

async function refreshTraces() {
  if (about && !about.traceStore) {
    fill($('trace-list').tBodies[0], [], 'the trace store is off (observability.tracing.store.enabled: false): no traces to show', 5);
    return;
  }
  const status = $('errors-only').checked ? 'error' : 'any';
  const { body } = await getJson('/observe/traces?limit=200&status=' + status);
  if (!body || !body.traces) return;
  const slow = Number($('slow-ms').value) || 0;
  const route = $('route-filter').value.trim();
  const rows = body.traces.filter((t) => t.durationMs >= slow && (!route || t.root.includes(route))
    && !(hideOperational() && OPERATIONAL.test(t.root))).map((t) =>
    el('tr', { 'data-trace-id': t.traceId, class: t.status === 'ERROR' ? 'trace-error' : null },
      el('td', {}, t.root), el('td', {}, new Date(millis(t.start)).toLocaleTimeString()),
      el('td', { class: 'num' }, fmt(t.durationMs, 2)), el('td', { class: 'num' }, t.spanCount),
      el('td', { class: t.status }, t.status)));
  rows.forEach((r) => r.addEventListener('click', () => { location.hash = 'trace=' + r.dataset.traceId; }));
  fill($('trace-list').tBodies[0], rows, 'no trace matches', 5);
}

async function showTrace(traceId) {
  $('trace-view').hidden = false;
  $('trace-id').textContent = traceId;
  $('span-detail').textContent = '';
  const { status, body } = await getJson('/console/api/trace/' + encodeURIComponent(traceId));
  const unreached = $('trace-unreached');
  if (status !== 200) {
    $('waterfall').replaceChildren(el('p', { class: 'warning', id: 'trace-problem' }, (body && body.detail) || 'status ' + status));
    $('trace-legend').replaceChildren();
    unreached.hidden = true;
    return;
  }
  const colors = new Map(body.services.map((s, i) => [s, COLORS[i % COLORS.length]]));
  $('trace-legend').replaceChildren(...body.services.map((s) =>
    el('span', { 'data-service': s }, el('i', { style: 'background:' + colors.get(s) }), s)));
  unreached.hidden = body.unreached.length === 0;
  unreached.replaceChildren(...body.unreached.map((u) => el('div', { 'data-service': u.service },
    'not reached: ' + u.service + (u.uri ? ' at ' + u.uri : '') + ' — ' + u.reason)));
  $('waterfall').replaceChildren(...waterfall(body.spans, colors));
}

// One row per span, children under their parent in start order, bars on a shared time axis.
function waterfall(spans, colors) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    s.startMs = millis(s.start);
    if (s.parentSpanId && byId.has(s.parentSpanId)) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else {
      roots.push(s);
    }
  }
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const t1 = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(t1 - t0, 0.001);
  const rows = [];
  const visit = (s, depth) => {
    const row = el('div', { class: 'span-row' + (s.status === 'ERROR' ? ' error' : ''), 'data-span-id': s.spanId,
      'data-parent-id': s.parentSpanId || '', 'data-service': s.service, 'data-depth': depth },
    el('div', { class: 'span-label', style: 'padding-left:' + depth * 14 + 'px', title: s.name },
      el('b', { style: 'color:' + colors.get(s.service) }, s.service), ' ', s.name),
    el('div', { class: 'span-track' }, el('div', { class: 'span-bar', style: 'left:' + ((s.startMs - t0) / total * 100)
      + '%;width:' + (s.durationMs / total * 100) + '%;background:' + colors.get(s.service) })),
    el('div', { class: 'span-time' }, fmt(s.durationMs, 2) + ' ms'));
    row.addEventListener('click', () => {
      $('span-detail').textContent = JSON.stringify({ name: s.name, kind: s.kind, service: s.service, status: s.status,
        statusMessage: s.statusMessage, attributes: s.attributes, events: s.events }, null, 2);
    });
    rows.push(row);
    (children.get(s.spanId) || []).sort((a, b) => a.startMs - b.startMs).forEach((c) => visit(c, depth + 1));
  };
  roots.sort((a, b) => a.startMs - b.startMs).forEach((r) => visit(r, 0));
  return rows;
}

function route() {
  const m = /^#trace=([^&]*)$/.exec(location.hash);
  if (m) showTrace(decodeURIComponent(m[1]));
}

// ---- Service map --------------------------------------------------------------------------------------------------

let previousMap = null;

async function refreshMap() {
  const { status, body } = await getJson('/console/api/map');
  if (status !== 200) return;
  const now = Date.now();
  const before = previousMap;
  const key = (e) => e.from + '>' + e.to + '>' + e.protocol + '>' + (e.via || '');
  previousMap = { t: now, edges: new Map(body.edges.map((e) => [key(e), e])) };
  const unreached = $('map-unreached');
  unreached.hidden = body.unreached.length === 0;
  unreached.replaceChildren(...body.unreached.map((u) => el('div', { 'data-service': u.service },
    'not reached: ' + u.service + (u.uri ? ' at ' + u.uri : '') + ' — ' + u.reason)));
  const map = $('service-map');
  const w = Number(map.getAttribute('width')); const h = Number(map.getAttribute('height'));
  const place = new Map();
  body.services.forEach((s, i) => {
    const angle = (2 * Math.PI * i) / body.services.length - Math.PI / 2;
    const r = body.services.length === 1 ? 0 : Math.min(w, h) / 2 - 60;
    place.set(s, { x: w / 2 + r * Math.cos(angle), y: h / 2 + r * Math.sin(angle) });
  });
  const defs = svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8894aa' })));
  const pairs = new Map(); // edges between the same two services: their labels are stacked
  const edges = body.edges.map((e) => {
    const a = place.get(e.from); const b = place.get(e.to);
    const pair = [e.from, e.to].sort().join('>');
    const nth = pairs.get(pair) || 0;
    pairs.set(pair, nth + 1);
    const dx = b.x - a.x; const dy = b.y - a.y; const len = Math.max(Math.hypot(dx, dy), 1);
    const r = 42;
    const prev = before && before.edges.get(key(e));
    const rate = prev && now > before.t ? (e.calls - prev.calls) / ((now - before.t) / 1000) : null;
    const what = e.via ? 'event ' + e.via : e.protocol;
    const how = (rate === null ? e.calls + (e.via ? ' msg' : ' calls') : fmt(rate, 2) + '/s')
      + (e.errors ? ' · ' + fmt(e.errors / Math.max(e.calls, 1) * 100) + '% err' : '');
    const x = (a.x + b.x) / 2; const y = (a.y + b.y) / 2 - 8 + nth * 30;
    return svg('g', { class: 'edge' + (e.errors ? ' failing' : ''), 'data-from': e.from, 'data-to': e.to,
      'data-protocol': e.protocol },
      svg('line', { x1: a.x + dx / len * r, y1: a.y + dy / len * r, x2: b.x - dx / len * r, y2: b.y - dy / len * r,
        'marker-end': 'url(#arrow)' }),
      svg('text', { x, y, 'text-anchor': 'middle' }, svg('tspan', { x, dy: 0 }, what), svg('tspan', { x, dy: 14 }, how)));
  });
  const nodes = body.services.map((s) => {
    const p = place.get(s);
    return svg('g', { class: 'node' + (about && s === about.name ? ' self' : ''), 'data-service': s },
      svg('circle', { cx: p.x, cy: p.y, r: 40 }),
      svg('text', { class: 'name', x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, s));
  });
  map.replaceChildren(defs, ...edges, ...nodes);
}

// ---- Start --------------------------------------------------------------------------------------------------------

function every(ms, fn) {
  const run = () => fn().catch((e) => console.warn(e));
  run();
  setInterval(run, ms);
}

async function start() {
  await loadService();
  sortable('routes');
  sortable('clients');
  $('config-filter').addEventListener('input', renderConfig);
  $('config-set-only').addEventListener('change', renderConfig);
  for (const id of ['errors-only', 'slow-ms', 'route-filter', 'hide-operational']) {
    $(id).addEventListener('input', () => refreshTraces().catch((e) => console.warn(e)));
  }
  $('hide-operational').addEventListener('change', () => {
    if (readings.length) {
      renderTraffic('routes', windowRows(served));
    }
  });
  window.addEventListener('hashchange', route);
  loadConfig().catch((e) => console.warn(e));
  every(HEALTH_EVERY_MS, refreshHealth);
  every(METRICS_EVERY_MS, refreshMetrics);
  every(TRACES_EVERY_MS, refreshTraces);
  every(MAP_EVERY_MS, refreshMap);
  route();
}

start().catch((e) => {
  $('service-name').textContent = 'the console could not load: ' + e.message;
});
