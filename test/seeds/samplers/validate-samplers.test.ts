/** `synthforge validate` on samplers sources: every problem at file:line:col in one pass, exit 2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

const STEPS = `steps:
  - generate: q
    model: openai/gpt-4o-mini
    prompt: "{{ subtopic }} for {{ customer.first_name }}"
    schema: { type: object, properties: { q: { type: string } } }
`;

describe('validate: samplers', () => {
  it('accepts a samplers source and knows the fields it provides', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'r.yaml'),
      `name: r
seeds:
  - samplers:
      count: 1000
      seed: 7
      columns:
        topic: { category: { values: [billing, shipping], weights: [0.7, 0.3] } }
        subtopic: { subcategory: { of: topic, values: { billing: [refund], shipping: [late, lost] } } }
        customer: { person: { locale: es } }
${STEPS}`,
    );
    const result = await runCli(['validate', 'r.yaml'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('reports an unknown sampler, bad parameters and a condition naming no field, each at file:line:col, and exits 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `name: r
seeds:
  - samplers:
      count: 10
      columns:
        topic: { category: { values: [billing, shipping], weights: [0.5] } }
        subtopic: { subcategory: { of: topik, values: { billing: [refund], shipping: [late] } } }
        age: { gausian: { mean: 35, sd: 10 } }
        tickets: { poisson: { lambda: 0 } }
        opened: { datetime: { from: 2024-12-31, to: 2024-01-01 } }
        customer: { person: { locale: xx } }
${STEPS}`,
    );
    const result = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    const at = (position: string, path: string, message: string) => `${file}:${position}  seeds[0].samplers.columns.${path}  ${message}`;
    expect(result.stderr).toContain(at('6:68', 'topic.category.weights', 'expected 2 weights, one per value; got 1'));
    expect(result.stderr).toContain(at('7:40', 'subtopic.subcategory.of', '"topik" names no column (did you mean "topic"?); columns: topic, subtopic, age, tickets, opened, customer'));
    expect(result.stderr).toContain(at('8:16', 'age.gausian', 'unknown key "gausian" (did you mean "gaussian"?)'));
    expect(result.stderr).not.toContain('a column needs one sampler');
    expect(result.stderr).toContain(at('9:39', 'tickets.poisson.lambda', 'Too small: expected number to be >0'));
    expect(result.stderr).toContain(at('10:53', 'opened.datetime.to', '`from` must not be after `to`'));
    expect(result.stderr).toContain(at('11:39', 'customer.person.locale', 'Invalid option: expected one of "en"|"de"|"fr"|"es"|"ja"'));
  });

  it('reports subcategory values that do not match the parent\'s values, and a cycle', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `name: r
seeds:
  - samplers:
      count: 10
      columns:
        topic: { category: { values: [billing, shipping] } }
        subtopic: { subcategory: { of: topic, values: { billing: [refund], shiping: [late] } } }
        a: { subcategory: { of: b, values: { x: [y] } } }
        b: { subcategory: { of: a, values: { y: [x] } } }
        n: { uniform: { min: 0, max: 1 } }
        m: { subcategory: { of: n, values: { "0": [zero] } } }
        empty: {}
        two: { uuid: {}, poisson: { lambda: 1 } }
${STEPS}`,
    );
    const result = await runCli(['validate', 'bad.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const issues = (JSON.parse(result.stdout) as { error: { issues: { line: number; column: number; message: string }[] } }).error.issues;
    const summary = issues.map((issue) => `${issue.line}:${issue.column} ${issue.message}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        '7:85 "shiping" is not a value of the parent column (did you mean "shipping"?); its values: billing, shipping',
        '7:55 no values for "shipping": every value of the parent column needs a list',
        '8:33 subcategories depend on each other in a cycle: a → b → a',
        '9:33 subcategories depend on each other in a cycle: b → a → b',
        '11:33 a subcategory depends on a category or subcategory column; "n" is a uniform',
        '12:16 a column needs one sampler: category, subcategory, uniform, gaussian, poisson, datetime, uuid, person',
        '13:14 a column has exactly one sampler; found poisson and uuid',
      ]),
    );
  });
});
