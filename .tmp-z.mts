import { z } from 'zod';
const s = z.strictObject({ a: z.array(z.string()).min(1).optional(), b: z.boolean().optional(), c: z.strictObject({ t: z.number().default(1) }).optional() })
  .superRefine((v, ctx) => { if (v.a === undefined && v.c === undefined) ctx.addIssue({ code: 'custom', path: ['a'], message: 'need a or c' }); })
  .transform((v) => ({ a: v.a ?? [], b: v.b ?? v.a !== undefined, ...(v.c ? { c: v.c } : {}) }));
for (const input of [{}, { a: [] }, { c: {} }, { a: ['x'], zz: 1 }, { a: ['x'], c: { t: 'x' } }]) {
  const r = s.safeParse(input);
  console.log(JSON.stringify(input), r.success ? JSON.stringify(r.data) : JSON.stringify(r.error.issues.map((i) => [i.path, i.message])));
}
const outer = z.strictObject({ dedup: s });
console.log(JSON.stringify(outer.safeParse({ dedup: { a: [] } }).error?.issues.map((i) => i.path)));
