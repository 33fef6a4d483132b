import { Worker, isMainThread } from 'node:worker_threads';
function work() { let h = 0; for (let i = 0; i < 2e8; i++) h = Math.imul(h ^ i, 16777619); return h; }
function mem() { const a = new Int32Array(1 << 16); let h = 0; for (let r = 0; r < 3000; r++) for (let i = 0; i < a.length; i++) { a[i] = Math.imul(a[i] ^ i, 16777619); h += a[i]; } return h; }
function measure(label) { for (const [n, f] of [['imul', work], ['mem', mem]]) { let best = Infinity; for (let r = 0; r < 3; r++) { const c0 = process.cpuUsage(); const t0 = performance.now(); f(); best = Math.min(best, performance.now() - t0); } console.log(label, n, best.toFixed(0), 'ms'); } }
if (isMainThread) { measure('main'); const w = new Worker(new URL(import.meta.url)); await new Promise(r => w.on('exit', r)); measure('main'); } else measure('worker');
