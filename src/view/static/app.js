// The viewer's page: a hash router over the JSON routes of src/view/. Everything shown comes from
// datasets and runs, which are untrusted text, so every value goes into the page as a text node
// (el() below); nothing is ever assigned to innerHTML.

const main = document.getElementById('main');
let generation = 0;
let pollTimer;

/** el('td', { class: 'num' }, 'text', child): strings become text nodes, never markup. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const enc = encodeURIComponent;
const num = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : '–');
const usd = (value) => (typeof value === 'number' ? `$${value.toFixed(value !== 0 && value < 0.01 ? 6 : 4)}` : '–');
const pretty = (value) => el('pre', {}, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
const badge = (text, kind = text) => el('span', { class: `badge ${kind}` }, text);

async function api(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? `${body.error.message} (${body.error.code})` : `HTTP ${response.status}`);
  return body;
}

function table(headers, rows, onRowClick) {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, headers.map((header) => el('th', { class: header.num ? 'num' : undefined }, header.label ?? header)))),
    el(
      'tbody',
      {},
      rows.map((cells, index) =>
        el(
          'tr',
          onRowClick ? { class: 'clickable', onclick: () => onRowClick(index) } : {},
          cells.map((cell, column) => el('td', { class: headers[column]?.num ? 'num' : undefined }, cell)),
        ),
      ),
    ),
  );
}

/** A one-line preview of a row: chat turns as `role: text`, anything else as compact JSON. */
function preview(row) {
  const { id: _id, ...rest } = row;
  if (Array.isArray(row.messages)) return row.messages.map((message) => `${message.role}: ${message.content}`).join('  ·  ');
  return JSON.stringify(rest);
}

function crumbs(...parts) {
  return el('div', { class: 'crumbs' }, parts.flatMap((part, index) => [index ? ' / ' : '', part.href ? el('a', { href: part.href }, part.label) : part.label]));
}

function versionTabs(dataset, version, active) {
  const base = `#/d/${enc(dataset)}/${enc(version)}`;
  const tabs = [['Overview', base], ['Rows', `${base}/rows`], ['Problems', `${base}/problems`], ['Dedup', `${base}/dedup`], ['Costs', `${base}/costs`]];
  return el('nav', { class: 'tabs' }, tabs.map(([label, href]) => el('a', { href, class: label === active ? 'active' : undefined }, label)));
}

// --- pages ---------------------------------------------------------------------------------------

async function datasetsPage() {
  const { datasets, outputsRoot } = await api('/api/datasets');
  const page = [el('h1', {}, 'Datasets'), el('p', { class: 'muted' }, `in ${outputsRoot}`)];
  if (datasets.length === 0) page.push(el('p', {}, 'No dataset versions here yet. Run a recipe (synthforge run recipe.yaml) or pass --out.'));
  else {
    page.push(
      table(
        ['dataset', 'versions', { label: 'latest rows', num: true }, 'latest', 'models'],
        datasets.map(({ name, versions }) => {
          const latest = versions.at(-1);
          return [el('a', { href: `#/d/${enc(name)}` }, name), String(versions.length), num(latest.rows), el('a', { href: `#/d/${enc(name)}/${enc(latest.version)}` }, latest.version), latest.models.join(', ')];
        }),
      ),
    );
  }
  return page;
}

async function versionsPage(dataset) {
  const { versions } = await api(`/api/datasets/${enc(dataset)}`);
  const from = el('select', { 'aria-label': 'from version' }, versions.map((v) => el('option', {}, v.version)));
  const to = el('select', { 'aria-label': 'to version' }, versions.map((v) => el('option', {}, v.version)));
  if (versions.length > 1) from.value = versions.at(-2).version;
  to.value = versions.at(-1).version;
  return [
    crumbs({ label: 'Datasets', href: '#/' }, { label: dataset }),
    el('h1', {}, dataset),
    table(
      ['version', 'created', { label: 'rows', num: true }, 'splits', 'format', { label: 'cost', num: true }, 'parent'],
      versions.map((v) => [el('a', { href: `#/d/${enc(dataset)}/${enc(v.version)}` }, v.version), v.createdAt, num(v.rows), Object.entries(v.splits).map(([s, n]) => `${s} ${n}`).join(', '), v.format, usd(v.costUsd), v.parentVersion ?? '–']),
    ),
    el('div', { class: 'toolbar' }, 'Compare ', from, ' with ', to, ' ', el('button', { onclick: () => (location.hash = `#/d/${enc(dataset)}/diff/${enc(from.value)}/${enc(to.value)}`) }, 'Show diff')),
  ];
}

async function versionPage(dataset, version) {
  const v = await api(`/api/datasets/${enc(dataset)}/${enc(version)}`);
  return [
    crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version }),
    el('h1', {}, `${dataset}@${version}`),
    versionTabs(dataset, version, 'Overview'),
    el('div', { class: 'card' },
      el('div', {}, `${num(v.rows)} rows · format ${v.format} · created ${v.createdAt}`),
      el('div', {}, 'splits: ', Object.entries(v.splits).map(([s, n]) => `${s} ${num(n)}`).join(', ')),
      el('div', {}, `cost ${usd(v.cost.usd)} (${num(v.cost.inputTokens)} tokens in, ${num(v.cost.outputTokens)} out) · models ${v.models.join(', ') || '–'}`),
      el('div', { class: 'muted' }, `run ${v.runId ?? '–'} · recipe ${v.recipe.path ?? '–'} · content ${String(v.contentHash).slice(0, 16)}…`),
    ),
    el('h2', {}, 'Steps'),
    table(
      ['step', 'kind', 'model', { label: 'in', num: true }, { label: 'out', num: true }, { label: 'invalid', num: true }, { label: 'duplicates', num: true }, { label: 'filtered', num: true }],
      v.steps.map((s) => [s.name, s.kind, s.model ?? '', num(s.input), num(s.output), num(s.invalid), num(s.duplicates), num(s.filtered)]),
    ),
  ];
}

async function rowsPage(dataset, version, params) {
  const v = await api(`/api/datasets/${enc(dataset)}/${enc(version)}`);
  const split = params.get('split') ?? Object.keys(v.splits)[0];
  const query = params.get('q') ?? '';
  const offset = Number(params.get('offset') ?? 0);
  const base = `#/d/${enc(dataset)}/${enc(version)}/rows`;
  const go = (next) => (location.hash = `${base}?${new URLSearchParams(next)}`);
  const splitSelect = el('select', { 'aria-label': 'split', onchange: () => go({ split: splitSelect.value }) }, Object.keys(v.splits).map((s) => el('option', {}, s)));
  splitSelect.value = split;
  const search = el('input', { type: 'search', placeholder: 'search values…', value: query, 'aria-label': 'search' });
  const form = el('form', { class: 'toolbar', onsubmit: (event) => { event.preventDefault(); go(search.value ? { split, q: search.value } : { split }); } }, 'split ', splitSelect, search, el('button', { type: 'submit' }, 'Search'));
  const open = (index, rows) => (location.hash = `#/d/${enc(dataset)}/${enc(version)}/sample/${enc(rows[index].row.id)}`);
  const page = [crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version }), el('h1', {}, `${dataset}@${version} rows`), versionTabs(dataset, version, 'Rows'), form];
  if (query) {
    const found = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/search?${new URLSearchParams({ split, q: query, from: String(offset), limit: '50' })}`);
    page.push(el('p', { class: 'muted' }, `${found.matches.length} match(es) for "${query}" from row ${offset} (${num(found.scanned)} rows read)`));
    page.push(table(['#', 'id', 'row'], found.matches.map(({ index, row }) => [String(index), String(row.id), el('div', { class: 'preview' }, preview(row))]), (i) => open(i, found.matches)));
    if (found.next !== undefined) page.push(el('button', { onclick: () => go({ split, q: query, offset: found.next }) }, 'More matches'));
    return page;
  }
  const rows = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/rows?${new URLSearchParams({ split, offset: String(offset), limit: '50' })}`);
  page.push(el('p', { class: 'muted' }, `rows ${num(rows.total ? offset + 1 : 0)}–${num(offset + rows.rows.length)} of ${num(rows.total)} in ${split}`));
  page.push(table(['#', 'id', 'row'], rows.rows.map(({ index, row }) => [String(index), String(row.id), el('div', { class: 'preview' }, preview(row))]), (i) => open(i, rows.rows)));
  page.push(
    el('div', { class: 'toolbar' },
      el('button', { disabled: offset === 0, onclick: () => go({ split, offset: Math.max(0, offset - 50) }) }, '← Previous'),
      el('button', { disabled: offset + 50 >= rows.total, onclick: () => go({ split, offset: offset + 50 }) }, 'Next →'),
    ),
  );
  return page;
}

async function samplePage(dataset, version, id) {
  const s = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/samples/${enc(id)}`);
  const page = [crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version, href: `#/d/${enc(dataset)}/${enc(version)}/rows` }, { label: id }), el('h1', {}, `Sample ${id}`)];
  if (s.row) page.push(el('h2', {}, `Row (split ${s.split})`), pretty(s.row));
  if (s.rejected) page.push(el('h2', {}, 'Rejected'), el('p', {}, badge(String(s.rejected.kind), 'bad'), ` at step ${s.rejected.step}: ${s.rejected.reason}`), pretty(s.rejected.fields));
  page.push(el('h2', {}, 'Seed'));
  page.push(s.seed ? el('div', { class: 'card' }, el('div', {}, 'source: ', el('strong', { class: 'seed-source' }, s.seed.source ?? '(unknown)'), ` · seed ${s.seed.id}`), pretty(s.seed.fields)) : el('p', { class: 'muted' }, 'not available'));
  for (const step of s.steps) {
    page.push(el('h2', {}, `Step ${step.step}`, el('span', { class: 'muted' }, ` · ${step.provider ?? ''}/${step.model ?? ''} · ${step.attempts.length} attempt(s)`)));
    if (step.cachedFrom) page.push(el('p', { class: 'muted' }, `answer from the response cache (run ${step.cachedFrom.run})`));
    step.attempts.forEach((attempt, number) => {
      page.push(
        el('div', { class: 'card attempt' },
          el('h3', {}, `Attempt ${number + 1} `, badge(attempt.outcome, attempt.outcome === 'valid' ? 'valid' : 'bad'), el('span', { class: 'muted' }, ` round ${attempt.round} · ${attempt.shard}${attempt.line >= 0 ? ` line ${attempt.line}` : ''}${attempt.batchId ? ` · ${attempt.batchId}` : ''}${attempt.usage ? ` · ${attempt.usage.inputTokens} + ${attempt.usage.outputTokens} tokens` : ''}${attempt.costUsd !== undefined ? ` · ${usd(attempt.costUsd)}` : ''}`)),
          attempt.request ? [el('div', { class: 'muted' }, 'Request sent'), pretty(attempt.request)] : null,
          attempt.answer ? [el('div', { class: 'muted' }, 'Answer'), pretty(attempt.answer)] : null,
          attempt.reason ? el('p', { class: 'error' }, `Invalid: ${attempt.reason}`) : null,
          attempt.excerpt ? [el('div', { class: 'muted' }, 'Raw output (excerpt)'), pretty(attempt.excerpt)] : null,
        ),
      );
    });
  }
  if (s.decisions.length) {
    page.push(el('h2', {}, 'Dedup and filters'));
    page.push(table(['step', 'kind', 'decision', 'detail'], s.decisions.map((d) => [d.step, d.kind, badge(d.verdict), [d.detail, d.duplicates ? el('ul', {}, d.duplicates.map((x) => el('li', {}, `${x.id} (${x.how}${x.similarity !== undefined ? `, ${x.measure} ${x.similarity}` : ''})${x.source ? ` from ${x.source}` : ''}`))) : null]])));
  }
  page.push(el('h2', {}, 'Cost'), el('p', { class: 'sample-cost' }, `${usd(s.cost.usd)} · ${num(s.cost.inputTokens)} tokens in, ${num(s.cost.outputTokens)} out (every attempt, each its batch's share by tokens)`));
  for (const note of s.notes) page.push(el('p', { class: 'muted' }, note));
  return page;
}

async function problemsPage(dataset, version) {
  const { rejects, invalid } = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/problems`);
  const example = (e) => el('li', {}, el('a', { href: `#/d/${enc(dataset)}/${enc(version)}/sample/${enc(e.id)}` }, e.id), e.source ? ` (${e.source})` : '', `: ${e.reason}`);
  return [
    crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version }),
    el('h1', {}, `${dataset}@${version} problems`),
    versionTabs(dataset, version, 'Problems'),
    el('h2', {}, 'Rejected records (rejects.jsonl)'),
    rejects.length ? table(['step', 'kind', 'reason', { label: 'count', num: true }, 'examples'], rejects.map((g) => [g.step, g.kind, g.reason, num(g.count), el('ul', {}, g.examples.map(example))])) : el('p', { class: 'muted' }, 'None recorded (records that filters and dedup remove are listed when the run used --keep-rejects).'),
    el('h2', {}, 'Invalid answers (every attempt, retried or not)'),
    invalid.length
      ? table(['step', 'outcome', 'reason', { label: 'count', num: true }, 'examples'], invalid.map((g) => [g.step, badge(g.outcome, 'bad'), g.reason, num(g.count), el('ul', {}, g.examples.map((e) => el('li', {}, `${e.shard} line ${e.line}: `, el('code', {}, e.excerpt ?? e.reason))))]))
      : el('p', { class: 'muted' }, 'None (or the run folder is gone).'),
  ];
}

async function dedupPage(dataset, version) {
  const d = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/dedup`);
  const page = [crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version }), el('h1', {}, `${dataset}@${version} dedup`), versionTabs(dataset, version, 'Dedup')];
  page.push(table(['step', { label: 'in', num: true }, { label: 'kept', num: true }, { label: 'duplicates', num: true }], d.steps.map((s) => [s.name, num(s.input), num(s.output), num(s.duplicates)])));
  if (!d.keptRejects) page.push(el('p', { class: 'muted' }, 'No dropped records were kept: run with --keep-rejects to see each cluster.'));
  page.push(el('p', { class: 'muted' }, `${d.total} cluster(s)`));
  for (const cluster of d.clusters) {
    page.push(
      el('div', { class: 'card cluster' },
        el('div', {}, badge('kept', 'kept'), ' ', el('a', { href: `#/d/${enc(dataset)}/${enc(version)}/sample/${enc(cluster.kept.id)}` }, cluster.kept.id), el('span', { class: 'muted' }, ` · step ${cluster.step}`)),
        cluster.kept.fields ? pretty(cluster.kept.fields) : null,
        table(['dropped', 'how', { label: 'similarity', num: true }, 'source', 'text'], cluster.dropped.map((x) => [x.id, x.how, x.similarity !== undefined ? `${x.measure} ${x.similarity}` : '1 (exact)', x.source ?? '', el('div', { class: 'preview' }, JSON.stringify(x.fields))])),
      ),
    );
  }
  return page;
}

async function costsPage(dataset, version) {
  const c = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/costs`);
  const page = [crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: version }), el('h1', {}, `${dataset}@${version} costs`), versionTabs(dataset, version, 'Costs')];
  page.push(el('p', {}, `total ${usd(c.totals.usd)} (${usd(c.totals.syncUsd)} at synchronous prices) · ${num(c.totals.inputTokens)} tokens in, ${num(c.totals.outputTokens)} out`));
  if (c.note) page.push(el('p', { class: 'muted' }, c.note));
  if (!c.slices.length) return page;
  const steps = [...new Set(c.slices.map((s) => s.step))];
  const providers = [...new Set(c.slices.map((s) => `${s.provider}/${s.model}`))];
  const perStep = (field) => steps.map((step) => c.slices.filter((s) => s.step === step).reduce((sum, s) => sum + s[field], 0));
  const stepCost = perStep('costUsd');
  // One series per step, each with a bar only at its own position: the legend then names the steps.
  page.push(el('h2', {}, 'Cost per step (USD)'), chart(steps, steps.map((step, i) => ({ label: step, values: steps.map((_, j) => (i === j ? stepCost[i] : null)) })), 'bars', 'usd'));
  page.push(el('h2', {}, 'Tokens per step'), chart(steps, [{ label: 'input tokens', values: perStep('inputTokens') }, { label: 'output tokens', values: perStep('outputTokens') }], 'lines', 'tokens'));
  const providerCost = providers.map((p) => c.slices.filter((s) => `${s.provider}/${s.model}` === p).reduce((sum, s) => sum + s.costUsd, 0));
  page.push(el('h2', {}, 'Cost per provider (USD)'), chart(providers, providers.map((p, i) => ({ label: p, values: providers.map((_, j) => (i === j ? providerCost[i] : null)) })), 'bars', 'usd'));
  page.push(table(['step', 'provider/model', { label: 'requests', num: true }, { label: 'tokens in', num: true }, { label: 'tokens out', num: true }, { label: 'cost', num: true }, { label: 'sync cost', num: true }], c.slices.map((s) => [s.step, `${s.provider}/${s.model}`, num(s.requests), num(s.inputTokens), num(s.outputTokens), s.unpricedEntries ? 'unpriced' : usd(s.costUsd), usd(s.syncCostUsd)])));
  return page;
}

const COLORS = ['#2457c5', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#1098ad', '#5c940d', '#d6336c'];

/** A uPlot chart over categories (steps or providers): x is the category's position, its label the name. */
function chart(categories, series, kind, unit) {
  const box = el('div', { class: 'chart' });
  const xs = categories.map((_, i) => i);
  const bars = window.uPlot.paths.bars({ size: [0.5, 80] });
  const options = {
    width: Math.min(1100, main.clientWidth - 30),
    height: 240,
    // Bars and counts read against zero; uPlot would otherwise start the axis near the smallest value.
    scales: { x: { time: false, range: [-0.5, categories.length - 0.5] }, y: { range: (_, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{ values: (_, ticks) => ticks.map((t) => (Number.isInteger(t) ? categories[t] ?? '' : '')), splits: () => xs }, { size: 80, values: (_, ticks) => ticks.map((t) => (unit === 'usd' ? `$${Number(t.toPrecision(3))}` : num(t))) }],
    series: [{ label: 'step', value: (_, i) => (i === null ? '' : categories[i] ?? '') }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], fill: kind === 'bars' ? `${COLORS[i % COLORS.length]}99` : undefined, width: 2, paths: kind === 'bars' ? bars : undefined, points: { show: kind !== 'bars', size: 7 } }))],
  };
  new window.uPlot(options, [xs, ...series.map((s) => s.values)], box);
  return box;
}

async function diffPage(dataset, from, to) {
  const d = await api(`/api/datasets/${enc(dataset)}/diff/${enc(from)}/${enc(to)}`);
  const detail = el('div', { id: 'diff-detail' });
  const show = async (id) => {
    const side = async (version) => {
      try {
        const s = await api(`/api/datasets/${enc(dataset)}/${enc(version)}/samples/${enc(id)}`);
        return s.row ?? s.rejected ?? '(not in this version)';
      } catch {
        return '(not in this version)';
      }
    };
    const [left, right] = await Promise.all([side(d.from.version), side(d.to.version)]);
    detail.replaceChildren(el('h2', {}, `Sample ${id}`), el('div', { class: 'grid2' }, el('div', {}, el('h3', {}, d.from.version), pretty(left)), el('div', {}, el('h3', {}, d.to.version), pretty(right))));
  };
  const list = (title, ids, kind) => [el('h2', {}, title, ' ', badge(String(ids.length), kind)), ids.length ? el('ul', { class: `ids ${kind}` }, ids.map((id) => el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => show(id) }, id)))) : el('p', { class: 'muted' }, 'none')];
  return [
    crumbs({ label: 'Datasets', href: '#/' }, { label: dataset, href: `#/d/${enc(dataset)}` }, { label: `diff ${from} → ${to}` }),
    el('h1', {}, `${dataset}: ${d.from.version} → ${d.to.version}`),
    el('p', { class: 'diff-counts' }, d.identical ? 'identical data files' : `${num(d.counts.added)} added · ${num(d.counts.removed)} removed · ${num(d.counts.changed)} changed · ${num(d.counts.unchanged)} unchanged · ${num(d.counts.movedSplit)} moved split`),
    table(['split', { label: d.from.version, num: true }, { label: d.to.version, num: true }], d.splits.map((s) => [s.split, num(s.from), num(s.to)])),
    table(['step', 'kind', { label: `${d.from.version} out`, num: true }, { label: `${d.to.version} out`, num: true }], d.steps.map((s) => [s.name, s.kind, num(s.from?.output), num(s.to?.output)])),
    ...list('Changed', d.changed, 'changed'),
    ...list('Added', d.added, 'added'),
    ...list('Removed', d.removed, 'removed'),
    detail,
  ];
}

async function runsPage() {
  const { runs, stateDir } = await api('/api/runs');
  return [
    el('h1', {}, 'Runs'),
    el('p', { class: 'muted' }, `in ${stateDir}`),
    runs.length
      ? table(['run', 'recipe', 'status', 'updated'], runs.map((r) => [el('a', { href: `#/runs/${enc(r.id)}` }, r.id), r.recipeName, badge(r.status, r.status), new Date(r.updatedAt).toISOString()]))
      : el('p', { class: 'muted' }, 'No runs recorded here (pass --state).'),
  ];
}

async function runPage(runId, mine) {
  const render = async () => {
    const r = await api(`/api/runs/${enc(runId)}`);
    const done = r.shards.byStatus.collected ?? 0;
    const share = r.shards.total ? done / r.shards.total : 0;
    const body = [
      crumbs({ label: 'Runs', href: '#/runs' }, { label: runId }),
      el('h1', {}, `Run ${runId} `, badge(r.run.status, r.run.status)),
      el('p', {}, `${r.run.recipeName} · ${r.run.alive ? 'a process is working on it' : 'no process is working on it'} · cost so far ${usd(r.cost.usd)} · ${num(r.cost.inputTokens)} tokens in, ${num(r.cost.outputTokens)} out`),
      el('p', { class: 'progress' }, el('span', { class: 'bar' }, el('span', { style: `width:${Math.round(share * 100)}%` })), ` ${done} of ${r.shards.total} batch(es) collected`),
      el('h2', {}, 'Steps'),
      table(['#', 'step', 'kind', 'status', 'counts'], r.steps.map((s) => [String(s.index), s.name, s.kind, badge(s.status, s.status === 'done' ? 'completed' : s.status), s.counts ? JSON.stringify(s.counts) : ''])),
      el('h2', {}, 'Batches'),
      table(['shard', 'step', 'provider', 'status', 'batch', 'counts'], r.shards.batches.map((b) => [b.shard, String(b.step), b.provider, badge(b.status), b.batchId ?? '', b.counts ? JSON.stringify(b.counts) : ''])),
      el('p', { class: 'muted updated' }, `updated ${new Date().toLocaleTimeString()}; refreshes every 2 s`),
    ];
    if (mine === generation) main.replaceChildren(...body.flat());
  };
  await render();
  pollTimer = setInterval(() => render().catch(() => undefined), 2000);
  return null;
}

// --- routing -------------------------------------------------------------------------------------

const ROUTES = [
  [/^#?\/?$/, () => datasetsPage()],
  [/^#\/runs$/, () => runsPage()],
  [/^#\/runs\/([^/]+)$/, (m, mine) => runPage(m[1], mine)],
  [/^#\/d\/([^/]+)$/, (m) => versionsPage(m[1])],
  [/^#\/d\/([^/]+)\/diff\/([^/]+)\/([^/]+)$/, (m) => diffPage(m[1], m[2], m[3])],
  [/^#\/d\/([^/]+)\/([^/]+)$/, (m) => versionPage(m[1], m[2])],
  [/^#\/d\/([^/]+)\/([^/]+)\/rows$/, (m, _mine, params) => rowsPage(m[1], m[2], params)],
  [/^#\/d\/([^/]+)\/([^/]+)\/sample\/(.+)$/, (m) => samplePage(m[1], m[2], m[3])],
  [/^#\/d\/([^/]+)\/([^/]+)\/problems$/, (m) => problemsPage(m[1], m[2])],
  [/^#\/d\/([^/]+)\/([^/]+)\/dedup$/, (m) => dedupPage(m[1], m[2])],
  [/^#\/d\/([^/]+)\/([^/]+)\/costs$/, (m) => costsPage(m[1], m[2])],
];

async function route() {
  const mine = ++generation;
  clearInterval(pollTimer);
  const [path, query = ''] = location.hash.split('?');
  for (const [pattern, page] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const decoded = match.map((part, i) => (i === 0 ? part : decodeURIComponent(part)));
    try {
      const content = await page(decoded, mine, new URLSearchParams(query));
      if (content && mine === generation) main.replaceChildren(...content.flat());
    } catch (error) {
      if (mine === generation) main.replaceChildren(el('p', { class: 'error' }, String(error.message ?? error)));
    }
    return;
  }
  main.replaceChildren(el('p', { class: 'error' }, 'No such page.'), el('a', { href: '#/' }, 'Datasets'));
}

window.addEventListener('hashchange', route);
// uPlot loads with `defer`, which runs before this module; DOMContentLoaded is the safe point anyway.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', route);
else route();
