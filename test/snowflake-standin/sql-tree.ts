/**
 * Tokens nested by parentheses, for the translation's rewrites: a function
 * call is a word followed by a group; a group's arguments are its children
 * split at top-level commas.
 */
import { Token, tokenize } from './sql-lexer.js';

export interface Group {
  type: 'group';
  children: Node[];
}
export type Node = Token | Group;

export function isGroup(n: Node | undefined): n is Group {
  return n !== undefined && n.type === 'group';
}

export function isSig(n: Node | undefined): boolean {
  return n !== undefined && n.type !== 'ws' && n.type !== 'comment';
}

export function parseTree(sql: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const t of tokenize(sql)) {
    const top = stack[stack.length - 1];
    if (t.type === 'op' && t.text === '(') {
      const g: Group = { type: 'group', children: [] };
      top.push(g);
      stack.push(g.children);
    } else if (t.type === 'op' && t.text === ')' && stack.length > 1) {
      stack.pop();
    } else top.push(t);
  }
  return root;
}

/** Index of the next significant node at or after `i` (nodes.length if none). */
export function nextSig(nodes: Node[], i: number): number {
  while (i < nodes.length && !isSig(nodes[i])) i++;
  return i;
}

export function prevSig(nodes: Node[], i: number): number {
  while (i >= 0 && !isSig(nodes[i])) i--;
  return i;
}

/** A group's arguments: its children split at top-level commas. */
export function splitArgs(g: Group): Node[][] {
  const args: Node[][] = [[]];
  for (const c of g.children) {
    if (c.type === 'op' && c.text === ',') args.push([]);
    else args[args.length - 1].push(c);
  }
  if (args.length === 1 && !args[0].some(isSig)) return [];
  return args;
}

/** The source text of nodes (no rewriting). */
export function sourceText(nodes: Node[]): string {
  return nodes.map((n) => (isGroup(n) ? `(${sourceText(n.children)})` : n.text)).join('');
}

export function sigNodes(nodes: Node[]): Node[] {
  return nodes.filter(isSig);
}

export function isWord(n: Node | undefined, ...values: string[]): boolean {
  return n !== undefined && n.type === 'word' && (values.length === 0 || values.includes(n.value));
}

export function isOp(n: Node | undefined, text: string): boolean {
  return n !== undefined && n.type === 'op' && n.text === text;
}
