const base = process.argv[2];
const { parseDedupSpec } = await import(base + '/dedup-spec.' + process.argv[3]);
const { resolveDedupConfig } = await import(base + '/dedup-config.' + process.argv[3]);
const { DocumentSketcher } = await import(base + '/sketcher.' + process.argv[3]);
const { SketchPool } = await import(base + '/signature-pool.' + process.argv[3]);
const { generateCorpus } = await import('./corpus.mjs');
const texts = [...generateCorpus({ documents: 20000 })].map(d => d.text);
const config = resolveDedupConfig(parseDedupSpec({ fields: ['text'], exact: false, near: { threshold: 0.8 } }));
const chunks = []; for (let i = 0; i < texts.length; i += 2048) chunks.push(texts.slice(i, i + 2048));
const sk = await DocumentSketcher.create(config);
const run = async (label, f) => { let best = Infinity, cpuBest = 0; for (let r = 0; r < 4; r++) { const c0 = process.cpuUsage(); const t0 = performance.now(); await f(); const t = performance.now() - t0; const c = process.cpuUsage(c0); if (t < best) { best = t; cpuBest = (c.user + c.system) / 1000; } } console.log(label, 'docs/s', (texts.length / best * 1000).toFixed(0), 'cpu us/doc', (cpuBest * 1000 / texts.length).toFixed(1)); };
await run('main', () => { for (const t of texts) { sk.normalize(t); sk.sketch(); } });
for (const n of [1, 2]) { const pool = await SketchPool.create(config, n); await Promise.all(chunks.map(c => pool.sketch(c))); await run('pool' + n, () => Promise.all(chunks.map(c => pool.sketch(c)))); await pool.close(); }
