import { SketchPool } from '../../src/dedup/signature-pool.js';
import { resolveDedupConfig } from '../../src/dedup/dedup-config.js';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
const config = resolveDedupConfig(parseDedupSpec({ fields: ['t'], near: {} }));
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const pool = await SketchPool.create(config, 2);
  const t1 = performance.now();
  await pool.close();
  console.log('start', (t1 - t0).toFixed(0), 'ms close', (performance.now() - t1).toFixed(0), 'ms', pool.kernel);
}
