/** Each dimension on 0–13, rounded to one decimal; 5 is neutral. */
export interface ElpScores {
  ethos: number;
  logos: number;
  pathos: number;
}

export interface ElpAnalysis extends ElpScores {
  /** Integer 0–9 derived from the dominant dimension (see fluxPosition). */
  flux_position: number;
  /** 0–1, two decimals. */
  confidence: number;
}
