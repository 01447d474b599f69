import type { ElpFeatures } from './elp-features.js';
import type { ElpScores } from './elp-types.js';
import { NEUTRAL_SCORE, dimensionShares, fluxPosition, isBalancedEthosLogos } from './flux-position.js';

const MAX_SCORE = 13;
const HEADROOM_UP = MAX_SCORE - NEUTRAL_SCORE;
const HEADROOM_DOWN = NEUTRAL_SCORE;

// Pseudo-words added to every length: a single "Therefore" is weak evidence of an
// argument, so short texts are pulled towards neutral instead of saturating.
const PRIOR_WORDS = 20;

// Marker density (markers per word) at which a dimension has covered ~63% of its
// headroom; calibrated so a dense argument or plea lands around 10–11.
const DENSITY_SCALE = { ethos: 0.12, logos: 0.15, pathos: 0.15 } as const;
// Polite register ("thanks", "great question", "hope this helps") is normal in assistant
// replies; only emotion beyond it moves pathos.
const PATHOS_BASELINE_DENSITY = 0.015;

// Words of prose at which the length factor of confidence reaches ~63%.
const CONFIDENCE_WORDS_SCALE = 60;
// Total elevation at which the strength factor of confidence reaches ~63%.
const CONFIDENCE_ELEVATION_SCALE = 2.5;
// Even a perfectly neutral, long text is only moderately sure it is neutral.
const CONFIDENCE_FLOOR = 0.2;

export function scoresFromFeatures(features: ElpFeatures): ElpScores {
  const length = features.words + PRIOR_WORDS;
  const pathosDensity = Math.max(0, features.pathos / length - PATHOS_BASELINE_DENSITY);
  return {
    ethos: dimensionScore(features.ethos / length, features.ethosAgainst / length, DENSITY_SCALE.ethos),
    logos: dimensionScore(features.logos / length, features.logosAgainst / length, DENSITY_SCALE.logos),
    pathos: dimensionScore(pathosDensity, 0, DENSITY_SCALE.pathos),
  };
}

/**
 * Grows with the amount of prose (more evidence) and with how clearly the winning
 * appeal stands out, so a one-liner or a three-way tie never looks certain.
 */
export function confidenceFromScores(scores: ElpScores, words: number): number {
  if (words <= 0) return 0;
  const evidence = saturate(words / CONFIDENCE_WORDS_SCALE);
  const shares = dimensionShares(scores);
  const strength = saturate(shares.total / CONFIDENCE_ELEVATION_SCALE);
  const clarity = CONFIDENCE_FLOOR + (1 - CONFIDENCE_FLOOR) * strength * (0.4 + 0.6 * dominanceMargin(scores));
  return round(clamp(evidence * clarity, 0, 1), 2);
}

/** Share lead of the winning appeal over the next one; the balanced pair counts as one. */
function dominanceMargin(scores: ElpScores): number {
  const shares = dimensionShares(scores);
  if (shares.total === 0 || fluxPosition(scores) === 4) return 0;
  if (isBalancedEthosLogos(shares)) return Math.max(0, Math.min(shares.ethos, shares.logos) - shares.pathos);
  const sorted = [shares.ethos, shares.logos, shares.pathos].sort((a, b) => b - a);
  return (sorted[0] ?? 0) - (sorted[1] ?? 0);
}

function dimensionScore(supportDensity: number, againstDensity: number, scale: number): number {
  const up = HEADROOM_UP * saturate(supportDensity / scale);
  const down = HEADROOM_DOWN * saturate(againstDensity / scale);
  return round(clamp(NEUTRAL_SCORE + up - down, 0, MAX_SCORE), 1);
}

function saturate(x: number): number {
  return 1 - Math.exp(-x);
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

function round(x: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(x * factor) / factor;
}
