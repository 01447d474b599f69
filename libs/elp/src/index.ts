export type { ElpAnalysis, ElpScores } from './elp-types.js';
export { analyzeElp } from './elp-analyzer.js';
export { fluxPosition } from './flux-position.js';
export { ElpAccumulator } from './elp-accumulator.js';
