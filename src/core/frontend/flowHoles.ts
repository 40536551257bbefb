/**
 * Flow holes: unknowns that decided how a model is built (a loop bound, a branch, a list of
 * layer sizes), for both front ends. Each front end decides when one is met (its own control
 * flow and truthiness) and how a compared string literal is spelled; the role, the words for
 * its use and the hole it becomes live here.
 */
import { holeSuggestion } from '../holes';
import type { Hole, HoleRole, SourceRange } from '../ir';

/** The roles of a flow hole (a subset of HoleRole). */
export type FlowRole = Extract<HoleRole, 'repeat count' | 'condition' | 'layer sizes'>;

/** What a flow hole decides, as the hole's `usedBy` says it. */
export const FLOW_USE: Readonly<Record<FlowRole, string>> = {
  'repeat count': 'how many layers a loop adds',
  condition: 'which layers are built',
  'layer sizes': 'the layers a loop adds',
};

/**
 * The hole a flow unknown becomes. `literal` (source text in the front end's language) is the
 * string a condition compares the unknown with; without one the role's usual suggestion is used.
 */
export function flowHole(name: string, role: FlowRole, range: SourceRange, language: 'ts' | 'py', literal?: string): Hole {
  return { name, role, range, usedBy: [FLOW_USE[role]], suggestion: literal ?? holeSuggestion(role, '', language) };
}
