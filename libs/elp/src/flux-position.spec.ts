import { describe, expect, it } from '@jest/globals';
import type { ElpScores } from './elp-types.js';
import { fluxPosition } from './flux-position.js';

const scores = (ethos: number, logos: number, pathos: number): ElpScores => ({ ethos, logos, pathos });

describe('fluxPosition', () => {
  describe('4: neutral or undecided', () => {
    it('is 4 when every dimension is exactly neutral', () => {
      expect(fluxPosition(scores(5, 5, 5))).toBe(4);
    });

    it('is 4 when the total elevation is too small to mean anything', () => {
      expect(fluxPosition(scores(5.2, 5.1, 5))).toBe(4);
    });

    it('ignores below-neutral scores instead of treating them as negative shares', () => {
      expect(fluxPosition(scores(1, 2, 5))).toBe(4);
      expect(fluxPosition(scores(0, 5, 11))).toBe(6);
    });

    it('is 4 when ethos and pathos tie for the lead', () => {
      expect(fluxPosition(scores(9, 5, 9))).toBe(4);
    });

    it('is 4 when logos and pathos tie for the lead', () => {
      expect(fluxPosition(scores(5, 9, 9))).toBe(4);
    });

    it('is 4 when ethos and logos tie but pathos is too strong for them to count as balanced', () => {
      // elevations 3.4 / 3.4 / 3.2 → ethos+logos share 0.68 < 0.7
      expect(fluxPosition(scores(8.4, 8.4, 8.2))).toBe(4);
    });
  });

  describe('0: balanced ethos + logos', () => {
    it('is 0 for equal ethos and logos with no pathos', () => {
      expect(fluxPosition(scores(9, 9, 5))).toBe(0);
    });

    it('is 0 even when one of the pair alone would count as strong', () => {
      // shares 0.50 / 0.45 / 0.05
      expect(fluxPosition(scores(9, 8.6, 5.4))).toBe(0);
    });

    it('is 0 at a share difference of exactly 0.1', () => {
      // shares 0.45 / 0.35 / 0.20
      expect(fluxPosition(scores(9.5, 8.5, 7))).toBe(0);
    });

    it('is not balanced once the difference exceeds 0.1', () => {
      // shares 0.46 / 0.34 / 0.20 → ethos dominates strongly
      expect(fluxPosition(scores(9.6, 8.4, 7))).toBe(3);
    });

    it('is not balanced when pathos takes more than 0.3 of the elevation', () => {
      // shares 0.33 / 0.33 / 0.34 → pathos leads
      expect(fluxPosition(scores(8.3, 8.3, 8.4))).toBe(5);
    });

    it('needs both ethos and logos elevated', () => {
      expect(fluxPosition(scores(9, 5, 5))).toBe(3);
      expect(fluxPosition(scores(5, 9, 5))).toBe(9);
    });
  });

  describe('ethos dominant', () => {
    it('is 3 when ethos share is well above 0.45', () => {
      expect(fluxPosition(scores(10, 6, 5))).toBe(3);
    });

    it('is 1 when ethos leads with share at most 0.45', () => {
      // shares 0.42 / 0.21 / 0.37
      expect(fluxPosition(scores(9, 7, 8.5))).toBe(1);
    });

    it('treats a share of exactly 0.45 as leaning (1) and just above as strong (3)', () => {
      expect(fluxPosition(scores(9.5, 7, 8.5))).toBe(1); // 4.5 / 10 = 0.45
      expect(fluxPosition(scores(9.6, 7, 8.5))).toBe(3); // 4.6 / 10.1 ≈ 0.455
    });
  });

  describe('pathos dominant', () => {
    it('is 6 when pathos share is well above 0.45', () => {
      expect(fluxPosition(scores(5, 5, 11))).toBe(6);
    });

    it('is 5 when pathos leads with share at most 0.45', () => {
      // shares 0.29 / 0.33 / 0.38
      expect(fluxPosition(scores(8, 8.5, 9))).toBe(5);
    });

    it('treats a share of exactly 0.45 as leaning (5) and just above as strong (6)', () => {
      expect(fluxPosition(scores(7, 8.5, 9.5))).toBe(5);
      expect(fluxPosition(scores(7, 8.5, 9.6))).toBe(6);
    });
  });

  describe('logos dominant', () => {
    it('is 9 when logos share is well above 0.45', () => {
      expect(fluxPosition(scores(5, 11, 5))).toBe(9);
    });

    it('is 8 when logos leads with share at most 0.45', () => {
      // shares 0.21 / 0.42 / 0.37
      expect(fluxPosition(scores(7, 9, 8.5))).toBe(8);
    });

    it('treats a share of exactly 0.45 as leaning (8) and just above as strong (9)', () => {
      expect(fluxPosition(scores(7, 9.5, 8.5))).toBe(8);
      expect(fluxPosition(scores(7, 9.6, 8.5))).toBe(9);
    });
  });

  it('is pure: same input, same output, input untouched', () => {
    const input = scores(9, 7, 8.5);
    const copy = { ...input };
    expect(fluxPosition(input)).toBe(fluxPosition(input));
    expect(input).toEqual(copy);
  });
});
