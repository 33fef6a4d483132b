/** What the published package declares matches what it ships and uses. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = process.cwd();
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files: string[];
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Bare specifiers that src/ imports (static, dynamic, or as a string handed to a worker), by package name. */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(REPO, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\(\s*|import\s+|resolve\(\s*)'([^'.][^']*)'/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return names;
}

describe('package.json', () => {
  it('every dependency and peer dependency is used by src/, and src/ uses nothing undeclared', () => {
    const imported = importedPackages();
    const declared = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {})];
    expect(declared.filter((name) => !imported.has(name))).toEqual([]);
    expect([...imported].filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('ships no source maps without the sources they point at', () => {
    const build = JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const mapsBuilt = build.compilerOptions.sourceMap === true || build.compilerOptions.declarationMap === true;
    expect(mapsBuilt && !manifest.files.includes('src')).toBe(false);
  });
});
