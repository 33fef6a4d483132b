import { Parser, type CST } from 'yaml';

/**
 * The source offset of the first YAML collection nested deeper than `limit` levels, or undefined.
 * `yaml`'s parser (text to CST) keeps its own stack, but its composer and toJS recurse once per level
 * and overflow the call stack near a thousand levels; checking the CST first turns a hostile recipe
 * into an issue at file:line:col instead of "Maximum call stack size exceeded".
 */
export function findTooDeepYaml(text: string, limit: number): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = [];
  for (const token of new Parser().parse(text)) stack.push({ token, depth: 0 });
  stack.reverse();
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    const children: (CST.Token | null | undefined)[] = [];
    let childDepth = depth;
    if (token.type === 'document') {
      children.push(token.value);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      childDepth = depth + 1;
      if (childDepth > limit) return token.offset;
      for (const item of token.items) children.push(item.key, item.value);
    }
    for (let index = children.length - 1; index >= 0; index -= 1) {
      const child = children[index];
      if (child) stack.push({ token: child, depth: childDepth });
    }
  }
  return undefined;
}
