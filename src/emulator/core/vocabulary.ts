/**
 * The word lists the responder builds sentences from. Several hundred words so that two answers seeded
 * differently share few word shingles: the engine deduplicates generated text with MinHash, and a tiny
 * vocabulary would make independent answers look like near-duplicates.
 */
export const NOUNS: readonly string[] = [
  'account', 'adapter', 'agent', 'answer', 'archive', 'battery', 'browser', 'budget', 'buffer', 'cable',
  'calendar', 'camera', 'campaign', 'channel', 'checklist', 'client', 'cluster', 'community', 'company', 'config',
  'contract', 'customer', 'dashboard', 'database', 'deadline', 'device', 'diagram', 'document', 'driver', 'engine',
  'engineer', 'estimate', 'factory', 'feature', 'firmware', 'folder', 'forecast', 'garden', 'gateway', 'guide',
  'habit', 'hardware', 'invoice', 'kitchen', 'ladder', 'laptop', 'ledger', 'library', 'license', 'manager',
  'manual', 'market', 'meeting', 'message', 'method', 'metric', 'module', 'monitor', 'network', 'notebook',
  'office', 'option', 'order', 'package', 'partner', 'password', 'payment', 'pipeline', 'planner', 'platform',
  'policy', 'portal', 'printer', 'problem', 'process', 'product', 'profile', 'project', 'prototype', 'question',
  'receipt', 'record', 'region', 'release', 'report', 'request', 'research', 'router', 'schedule', 'scanner',
  'script', 'sensor', 'server', 'service', 'session', 'setting', 'shipment', 'signal', 'spreadsheet', 'student',
  'supplier', 'survey', 'switch', 'system', 'teacher', 'team', 'template', 'ticket', 'timeline', 'tool',
  'update', 'upgrade', 'user', 'vendor', 'version', 'warehouse', 'website', 'widget', 'window', 'workflow',
  'harbor', 'river', 'mountain', 'village', 'bridge', 'lantern', 'orchard', 'compass', 'journal', 'meadow',
];

export const VERBS: readonly string[] = [
  'accepts', 'adjusts', 'analyzes', 'approves', 'balances', 'blocks', 'builds', 'captures', 'changes', 'checks',
  'cleans', 'collects', 'combines', 'compares', 'confirms', 'connects', 'converts', 'copies', 'covers', 'creates',
  'delivers', 'describes', 'detects', 'displays', 'drafts', 'enables', 'explains', 'exports', 'filters', 'finds',
  'fixes', 'follows', 'gathers', 'guides', 'handles', 'highlights', 'imports', 'improves', 'includes', 'loads',
  'manages', 'measures', 'merges', 'moves', 'notifies', 'opens', 'organizes', 'prepares', 'protects', 'reads',
  'records', 'reduces', 'refreshes', 'removes', 'repairs', 'replaces', 'resets', 'restores', 'reviews', 'routes',
  'saves', 'schedules', 'sends', 'shares', 'simplifies', 'sorts', 'stores', 'supports', 'tracks', 'updates',
  'validates', 'verifies', 'watches', 'writes',
];

export const ADJECTIVES: readonly string[] = [
  'active', 'annual', 'basic', 'bright', 'careful', 'central', 'clear', 'complete', 'compact', 'constant',
  'critical', 'current', 'daily', 'detailed', 'direct', 'durable', 'early', 'efficient', 'empty', 'entire',
  'extra', 'familiar', 'final', 'flexible', 'formal', 'fresh', 'friendly', 'full', 'general', 'gentle',
  'global', 'hidden', 'honest', 'initial', 'internal', 'large', 'legacy', 'local', 'main', 'manual',
  'minor', 'modern', 'monthly', 'narrow', 'natural', 'new', 'old', 'open', 'optional', 'original',
  'patient', 'personal', 'portable', 'precise', 'primary', 'private', 'public', 'quick', 'quiet', 'rapid',
  'recent', 'regular', 'reliable', 'remote', 'secure', 'shared', 'short', 'simple', 'small', 'stable',
  'steady', 'strict', 'strong', 'sudden', 'technical', 'temporary', 'typical', 'useful', 'visible', 'weekly',
];

export const ADVERBS: readonly string[] = [
  'quickly', 'carefully', 'quietly', 'usually', 'rarely', 'often', 'gradually', 'clearly', 'safely', 'firmly',
  'openly', 'mostly', 'directly', 'eventually', 'reliably', 'gently', 'easily', 'promptly', 'steadily', 'briefly',
];

export const PREPOSITIONS: readonly string[] = [
  'for', 'with', 'after', 'before', 'during', 'through', 'across', 'without', 'beside', 'behind',
  'under', 'over', 'around', 'inside', 'near', 'beyond', 'toward', 'against', 'within', 'along',
];

export const DETERMINERS: readonly string[] = ['the', 'a', 'each', 'every', 'this', 'that', 'one', 'another', 'any', 'our'];

export const OPENERS: readonly string[] = [
  'In practice', 'Most of the time', 'As a rule', 'For example', 'In short', 'At first', 'Later on',
  'In many cases', 'By default', 'Over time', 'Afterwards', 'Meanwhile', 'Even so', 'Once ready',
];

/** Words too common to carry meaning when they are taken from the prompt. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'the', 'and', 'for', 'are', 'but', 'not', 'you', 'all', 'any', 'can', 'her', 'was', 'one', 'our', 'out', 'his',
  'has', 'had', 'how', 'its', 'may', 'who', 'did', 'get', 'use', 'this', 'that', 'with', 'from', 'they', 'will',
  'what', 'when', 'your', 'have', 'them', 'then', 'than', 'into', 'about', 'which', 'their', 'there', 'these',
  'would', 'could', 'should', 'only', 'also', 'each', 'some', 'such', 'must', 'just', 'like', 'more', 'most',
  'very', 'were', 'been', 'being', 'here', 'where', 'while', 'json', 'schema', 'write', 'return', 'answer',
  'might', 'ask', 'asks', 'another', 'every', 'new', 'make', 'give', 'explain', 'describe', 'reply', 'respond',
  'please', 'using', 'between', 'because', 'onto', 'those', 'other', 'same', 'both', 'few', 'many', 'much',
  'own', 'too',
  'true', 'false', 'null', 'string', 'object', 'array', 'number', 'integer', 'boolean', 'type', 'properties',
  'required', 'items', 'enum',
]);
