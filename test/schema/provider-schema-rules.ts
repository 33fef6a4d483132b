/**
 * Independent checkers for what each provider's structured-output grammar accepts (OpenAI strict
 * mode, Anthropic structured outputs), written from the providers' published limits rather than from
 * src/schema, so a converter bug cannot hide behind the same mistake here. Each returns a list of
 * violations; `[]` means the schema is acceptable.
 */
type Node = Record<string, unknown>;

const OPENAI_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'enum', '$ref', '$defs',
  'description', 'title', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minItems', 'maxItems',
]);
const OPENAI_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);

const ANTHROPIC_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'allOf', 'enum', 'const', '$ref', '$defs',
  'definitions', 'description', 'title', 'default', 'format', 'minItems', 'pattern',
]);
const ANTHROPIC_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Visits every schema reachable through properties, items, anyOf, allOf and $defs. */
function eachNode(root: Node, visit: (node: Node, path: string) => void): void {
  const walk = (node: unknown, path: string): void => {
    if (!isNode(node)) return;
    visit(node, path);
    if (isNode(node.properties)) for (const [key, child] of Object.entries(node.properties)) walk(child, `${path}/properties/${key}`);
    if (node.items !== undefined) walk(node.items, `${path}/items`);
    for (const keyword of ['anyOf', 'allOf']) {
      const branches = node[keyword];
      if (Array.isArray(branches)) branches.forEach((branch, index) => walk(branch, `${path}/${keyword}/${index}`));
    }
    for (const keyword of ['$defs', 'definitions']) {
      const definitions = node[keyword];
      if (isNode(definitions)) for (const [key, child] of Object.entries(definitions)) walk(child, `${path}/${keyword}/${key}`);
    }
  };
  walk(root, '#');
}

function types(node: Node): string[] {
  if (Array.isArray(node.type)) return node.type as string[];
  return typeof node.type === 'string' ? [node.type] : [];
}

function resolves(root: Node, ref: string): boolean {
  if (ref === '#') return true;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (!match) return false;
  const definitions = root[match[1]!];
  return isNode(definitions) && isNode(definitions[decodeURIComponent(match[2]!)]);
}

export function openAIStrictViolations(root: Node): string[] {
  const problems: string[] = [];
  if (root.type !== 'object') problems.push('#: root must be type object');
  if ('anyOf' in root) problems.push('#: root must not be anyOf');
  eachNode(root, (node, path) => {
    for (const keyword of Object.keys(node)) if (!OPENAI_KEYWORDS.has(keyword)) problems.push(`${path}: unsupported keyword ${keyword}`);
    if (typeof node.$ref === 'string') {
      if (Object.keys(node).length > 1) problems.push(`${path}: $ref with siblings`);
      if (!resolves(root, node.$ref)) problems.push(`${path}: $ref ${node.$ref} does not resolve to $defs`);
      return;
    }
    if (!('type' in node) && !('anyOf' in node) && !('enum' in node)) problems.push(`${path}: no type, anyOf or enum`);
    const nodeTypes = types(node);
    if (nodeTypes.some((type) => !TYPES.has(type))) problems.push(`${path}: bad type ${JSON.stringify(node.type)}`);
    if (Array.isArray(node.type) && !(node.type.length === 2 && node.type[1] === 'null')) problems.push(`${path}: type list other than [T, null]`);
    if (nodeTypes.includes('object')) {
      if (node.additionalProperties !== false) problems.push(`${path}: object without additionalProperties: false`);
      if (!isNode(node.properties)) problems.push(`${path}: object without properties`);
      const keys = Object.keys(isNode(node.properties) ? node.properties : {}).sort();
      const required = Array.isArray(node.required) ? [...(node.required as string[])].sort() : undefined;
      if (JSON.stringify(keys) !== JSON.stringify(required)) problems.push(`${path}: required ${JSON.stringify(required)} is not every property ${JSON.stringify(keys)}`);
    }
    if (nodeTypes.includes('array') && !isNode(node.items)) problems.push(`${path}: array without items`);
    if ('format' in node && !OPENAI_FORMATS.has(node.format as string)) problems.push(`${path}: format ${String(node.format)} not supported`);
    if ('enum' in node && !(Array.isArray(node.enum) && node.enum.length > 0 && node.enum.every(isPrimitive))) problems.push(`${path}: enum must list primitives`);
  });
  return problems;
}

export function anthropicViolations(root: Node): string[] {
  const problems: string[] = [];
  if (root.type !== 'object') problems.push('#: root must be type object');
  eachNode(root, (node, path) => {
    for (const keyword of Object.keys(node)) if (!ANTHROPIC_KEYWORDS.has(keyword)) problems.push(`${path}: unsupported keyword ${keyword}`);
    if (typeof node.$ref === 'string' && !resolves(root, node.$ref)) problems.push(`${path}: $ref ${node.$ref} does not resolve`);
    if (typeof node.$ref === 'string' && Array.isArray(node.allOf)) problems.push(`${path}: allOf with $ref`);
    const nodeTypes = types(node);
    if (nodeTypes.some((type) => !TYPES.has(type))) problems.push(`${path}: bad type ${JSON.stringify(node.type)}`);
    if (nodeTypes.includes('object')) {
      if (node.additionalProperties !== false) problems.push(`${path}: object without additionalProperties: false`);
      const keys = Object.keys(isNode(node.properties) ? node.properties : {});
      for (const name of (node.required as string[] | undefined) ?? []) if (!keys.includes(name)) problems.push(`${path}: required ${name} not declared`);
    }
    if (nodeTypes.includes('array') && !isNode(node.items)) problems.push(`${path}: array without items`);
    if ('minItems' in node && node.minItems !== 0 && node.minItems !== 1) problems.push(`${path}: minItems ${String(node.minItems)} (only 0 or 1)`);
    if ('format' in node && !ANTHROPIC_FORMATS.has(node.format as string)) problems.push(`${path}: format ${String(node.format)} not supported`);
    if (typeof node.pattern === 'string' && /\\[1-9]|\(\?<?[=!]|\\b|\{\d{3,}/.test(node.pattern)) problems.push(`${path}: pattern not simple: ${node.pattern}`);
    if ('enum' in node && !(Array.isArray(node.enum) && node.enum.every(isPrimitive))) problems.push(`${path}: enum must list primitives`);
    if ('const' in node && !isPrimitive(node.const)) problems.push(`${path}: const must be a primitive`);
  });
  if (hasCycle(root)) problems.push('#: recursive schema');
  return problems;
}

function hasCycle(root: Node): boolean {
  const definitions = { ...(isNode(root.$defs) ? root.$defs : {}), ...(isNode(root.definitions) ? root.definitions : {}) } as Record<string, unknown>;
  const refsIn = (node: unknown): string[] => {
    const found: string[] = [];
    const walk = (value: unknown, top: boolean): void => {
      if (Array.isArray(value)) value.forEach((item) => walk(item, false));
      else if (isNode(value)) {
        if (typeof value.$ref === 'string') found.push(value.$ref === '#' ? '#' : value.$ref.split('/').pop()!);
        for (const [key, child] of Object.entries(value)) if (!(top && (key === '$defs' || key === 'definitions'))) walk(child, false);
      }
    };
    walk(node, true);
    return found;
  };
  const state = new Map<string, number>();
  const visit = (name: string): boolean => {
    if (state.get(name) === 2) return false;
    if (state.get(name) === 1) return true;
    state.set(name, 1);
    const cyclic = refsIn(name === '#' ? root : definitions[name]).some(visit);
    state.set(name, 2);
    return cyclic;
  };
  return visit('#');
}
