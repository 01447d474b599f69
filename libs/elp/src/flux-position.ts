import type { ElpScores } from './elp-types.js';

export const NEUTRAL_SCORE = 5;

// Below this total elevation the text is effectively neutral and any "dominant"
// dimension would just be noise.
const MIN_TOTAL_ELEVATION = 0.5;
// How close the ethos and logos shares must be to count as one balanced appeal.
const BALANCE_MARGIN = 0.1;
// Balanced ethos+logos must clearly outweigh pathos, not merely edge it out.
const MIN_BALANCED_SHARE = 0.7;
// A share above this is a strong rather than a leaning dominance.
const STRONG_SHARE = 0.45;
const TIE_EPSILON = 1e-9;

export interface DimensionShares {
  ethos: number;
  logos: number;
  pathos: number;
  /** Sum of the elevations above neutral; 0 when nothing is elevated. */
  total: number;
}

/**
 * Only elevation above neutral counts: a below-neutral score (e.g. hedged, unreliable
 * ethos) is an absence of that appeal, not a negative share of the mix.
 */
export function dimensionShares(scores: ElpScores): DimensionShares {
  const ethos = Math.max(0, scores.ethos - NEUTRAL_SCORE);
  const logos = Math.max(0, scores.logos - NEUTRAL_SCORE);
  const pathos = Math.max(0, scores.pathos - NEUTRAL_SCORE);
  const total = ethos + logos + pathos;
  if (total === 0) return { ethos: 0, logos: 0, pathos: 0, total: 0 };
  return { ethos: ethos / total, logos: logos / total, pathos: pathos / total, total };
}

export function isBalancedEthosLogos(shares: DimensionShares): boolean {
  return (
    shares.ethos > 0 &&
    shares.logos > 0 &&
    Math.abs(shares.ethos - shares.logos) <= BALANCE_MARGIN + TIE_EPSILON &&
    shares.ethos + shares.logos >= MIN_BALANCED_SHARE - TIE_EPSILON
  );
}

/**
 * 0 balanced ethos+logos · 1/3 ethos leaning/strong · 4 neutral or undecided ·
 * 5/6 pathos leaning/strong · 8/9 logos leaning/strong.
 *
 * Balance is tested before dominance because arguing from credibility and reasons
 * together is its own mode, not a weak case of either; a tie for the lead has no
 * honest answer other than the undecided middle.
 */
export function fluxPosition(scores: ElpScores): number {
  const shares = dimensionShares(scores);
  if (!(shares.total >= MIN_TOTAL_ELEVATION)) return 4;
  if (isBalancedEthosLogos(shares)) return 0;

  const ranked = (
    [
      ['ethos', shares.ethos],
      ['logos', shares.logos],
      ['pathos', shares.pathos],
    ] as const
  ).toSorted((a, b) => b[1] - a[1]);
  const [top, runnerUp] = ranked;
  if (top[1] - runnerUp[1] <= TIE_EPSILON) return 4;

  const strong = top[1] > STRONG_SHARE;
  switch (top[0]) {
    case 'ethos':
      return strong ? 3 : 1;
    case 'pathos':
      return strong ? 6 : 5;
    case 'logos':
      return strong ? 9 : 8;
  }
}
