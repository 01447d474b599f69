import { ElpAccumulator } from './elp-accumulator.js';
import type { ElpAnalysis } from './elp-types.js';

/**
 * Whole-text analysis is the streaming analysis fed in one piece, so the two can never
 * disagree.
 */
export function analyzeElp(text: string): ElpAnalysis {
  const accumulator = new ElpAccumulator();
  accumulator.push(text);
  return accumulator.result();
}
