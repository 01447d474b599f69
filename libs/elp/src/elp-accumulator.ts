import { addFeatures, emptyFeatures, segmentFeatures } from './elp-features.js';
import type { ElpFeatures } from './elp-features.js';
import { confidenceFromScores, scoresFromFeatures } from './elp-scoring.js';
import type { ElpAnalysis, ElpScores } from './elp-types.js';
import { fluxPosition } from './flux-position.js';
import { ProseSegmenter } from './prose-segmenter.js';
import type { ProseSegment } from './prose-segmenter.js';

/**
 * Analyses text as it streams. Finished sentences are scored once and folded into
 * running totals; only the unfinished tail is re-read on each snapshot, so emitting a
 * snapshot per chunk stays cheap and the final result equals analysing the whole text.
 */
export class ElpAccumulator {
  private readonly segmenter = new ProseSegmenter();
  private readonly committed: ElpFeatures = emptyFeatures();
  private readonly commit = (segment: ProseSegment): void => {
    addFeatures(this.committed, segmentFeatures(segment));
  };

  push(textPiece: string): void {
    if (textPiece.length > 0) this.segmenter.push(textPiece, this.commit);
  }

  snapshot(): ElpScores {
    return scoresFromFeatures(this.totals());
  }

  result(): ElpAnalysis {
    const features = this.totals();
    const scores = scoresFromFeatures(features);
    return {
      ...scores,
      flux_position: fluxPosition(scores),
      confidence: confidenceFromScores(scores, features.words),
    };
  }

  private totals(): ElpFeatures {
    const totals = { ...this.committed };
    const tail = this.segmenter.tail();
    if (tail !== null) addFeatures(totals, segmentFeatures(tail));
    return totals;
  }
}
