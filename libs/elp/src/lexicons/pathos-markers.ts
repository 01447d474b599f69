// The emotional weight of single words comes from AFINN-165 (the `sentiment` package);
// these lists add what AFINN does not score: intensity, pleading and feeling-talk.

/** Intensifiers, appeals and emotional self-report, in marker units. */
export const PATHOS_MARKERS: Readonly<Record<string, number>> = {
  very: 0.3,
  really: 0.35,
  'so much': 0.6,
  extremely: 0.7,
  incredibly: 0.8,
  absolutely: 0.6,
  totally: 0.5,
  deeply: 0.8,
  truly: 0.6,
  utterly: 0.8,
  terribly: 0.6,
  profoundly: 0.8,
  unbelievably: 0.8,
  insanely: 0.7,
  please: 0.4,
  'i beg you': 1.5,
  'we beg you': 1.5,
  beg: 1.0,
  begging: 1.0,
  'help us': 1.0,
  'help me': 0.8,
  imagine: 0.7,
  'think of the': 0.8,
  heart: 0.8,
  soul: 0.6,
  'oh no': 1.0,
  oh: 0.5,
  omg: 1.0,
  alas: 0.8,
  'our children': 0.8,
  'i feel': 0.8,
  'we feel': 0.8,
  feelings: 0.6,
  emotional: 0.6,
};

/**
 * AFINN words that in technical prose name a state of the system rather than a feeling
 * ("the build failed", "kill the process", "a fatal error"); their AFINN weight is scaled
 * by this factor so a stack-trace discussion does not read as an emotional outburst.
 */
export const TECHNICAL_REGISTER_DAMPING: ReadonlyMap<string, number> = new Map([
  ['error', 0.2], ['errors', 0.2], ['problem', 0.3], ['problems', 0.3], ['fail', 0.3], ['fails', 0.3],
  ['failed', 0.3], ['failure', 0.3], ['crash', 0.3], ['kill', 0], ['killed', 0], ['kills', 0],
  ['dead', 0.2], ['die', 0.3], ['dies', 0.3], ['aborted', 0.2], ['block', 0], ['blocked', 0.2],
  ['reject', 0.2], ['rejected', 0.2], ['limited', 0.2], ['limitation', 0.2], ['ignore', 0],
  ['ignored', 0], ['true', 0], ['false', 0], ['like', 0.2], ['want', 0.3], ['free', 0.2],
  ['clear', 0.2], ['clearly', 0.3], ['support', 0.2], ['supports', 0.1], ['supported', 0.1],
  ['fine', 0.3], ['yes', 0.3], ['no', 0.2], ['important', 0.3], ['certain', 0.2], ['trust', 0.3],
  ['warning', 0.2], ['attack', 0.3], ['exploit', 0.2], ['vulnerable', 0.3], ['vulnerability', 0.2],
  ['risk', 0.3], ['risky', 0.4], ['safe', 0.3], ['secure', 0.2], ['protect', 0.3], ['protected', 0.2],
  ['prevent', 0.2], ['prevents', 0.2], ['stop', 0.1], ['stopped', 0.1], ['leak', 0.2], ['lost', 0.4],
  ['loss', 0.3], ['miss', 0.3], ['missing', 0.2], ['broken', 0.3], ['conflict', 0.2], ['conflicts', 0.2],
  ['destroy', 0.3], ['fatal', 0.2], ['panic', 0.2], ['pretty', 0.3], ['success', 0.4],
  ['successful', 0.4], ['successfully', 0.3], ['powerful', 0.4], ['robust', 0.2], ['clean', 0.1],
  ['dirty', 0.1], ['stable', 0.2], ['unstable', 0.3], ['strong', 0.3], ['weak', 0.3], ['fresh', 0.2],
  ['drop', 0.1], ['dropped', 0.1], ['cut', 0.1], ['cuts', 0.1], ['hard', 0.3], ['forced', 0.2],
  ['denied', 0.3], ['lack', 0.4], ['allow', 0.1], ['agree', 0.5], ['recommend', 0.2],
  ['recommended', 0.2], ['recommends', 0.2], ['consent', 0.3], ['useful', 0.5], ['worth', 0.4], ['care', 0.5], ['careful', 0.4],
  ['carefully', 0.3], ['help', 0.5], ['easy', 0.5], ['good', 0.6], ['best', 0.5], ['better', 0.4],
  ['honest', 0.5], ['thanks', 0.6], ['thank', 0.6], ['challenge', 0.3], ['demand', 0.2],
  ['demands', 0.2], ['desire', 0.5], ['hacked', 0.5], ['please', 0.6],
]);
