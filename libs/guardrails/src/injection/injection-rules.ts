/**
 * One heuristic. Rules with the same `id` are variants of one signal: a text scores the highest
 * weight among them once, however many times and ways it matches.
 */
export interface InjectionRule {
  /** Stable name reported in `reasons` and stored with the turn; never renamed once deployed. */
  id: string;
  /** Contribution to the score, 0..1. A rule of 0.5 or more flags a text on its own. */
  weight: number;
  /** Global regex run over the normalized text. */
  pattern: RegExp;
}

const OVERRIDE_VERB = '(?:ignore|disregard|forget|bypass|discard)';
const EARLIER = '(?:previous|prior|above|earlier|preceding|foregoing|initial|original)';
const DIRECTIVES = '(?:instructions?|rules|prompts?|directions|directives|guidelines|constraints|programming|guardrails)';
const LIMITS =
  '(?:restrictions|limits|limitations|filters|filtering|censorship|rules|guidelines|boundaries|ethics|morals|safety|constraints|content polic(?:y|ies))';
const SHOW_VERB = '(?:reveal|print|show|display|output|repeat|leak|dump|expose|disclose|recite|give me|tell me|send me|write out|spell out|copy)';

const rule = (id: string, weight: number, source: string, flags = 'gi'): InjectionRule => ({ id, weight, pattern: new RegExp(source, flags) });

/**
 * Weights are set so that one unmistakable instruction (`ignore all previous instructions`, a
 * ChatML `system` turn) flags alone, while phrases with innocent readings (`override the system
 * prompt` asked by a developer, `developer mode enabled` on Android, a bare `[INST]`) only add up.
 * Benign look-alikes the rules are written around: "how do I ignore a file in git", "disregard my
 * previous message", "ignore the above error", "act as a SQL tutor", "what makes a good system
 * prompt".
 */
export const INJECTION_RULES: readonly InjectionRule[] = [
  rule('ignore_previous_instructions', 0.8, `\\b${OVERRIDE_VERB}\\b(?:\\s+[\\w'-]+){0,4}?\\s+${EARLIER}\\s+(?:[\\w'-]+\\s+){0,2}?${DIRECTIVES}\\b`),
  rule(
    'ignore_previous_instructions',
    0.6,
    `\\b(?:ignore|disregard|forget)\\s+(?:all\\s+(?:of\\s+)?)?(?:the\\s+|everything\\s+)?(?:above|preceding|foregoing)\\b` +
      `(?!\\s+(?:errors?|warnings?|messages?|output|logs?|links?|code|examples?|steps?|lines?|comments?|sections?|paragraphs?|typos?|notes?))`,
  ),
  rule('system_prompt_override', 0.75, `\\b${OVERRIDE_VERB}\\b(?:\\s+[\\w'-]+){0,3}?\\s+(?:the|your|this|any)\\s+(?:system|developer|hidden)\\s+(?:prompt|message|instructions?|rules|guidelines)\\b`),
  rule('system_prompt_override', 0.35, `\\b(?:override|overrule|replace)\\s+(?:the|your)\\s+(?:system|developer)\\s+(?:prompt|message|instructions?)\\b`),
  rule('override_rules', 0.6, `\\b${OVERRIDE_VERB}\\s+(?:all\\s+(?:of\\s+)?)?your\\s+(?:[\\w'-]+\\s+)?(?:instructions|rules|guidelines|restrictions|guardrails|programming|training|filters|principles|policies|safety)\\b`),
  rule('new_instructions', 0.4, `\\bnew\\s+(?:system\\s+prompt|instructions|rules)\\s*:`),
  rule('persona_jailbreak', 0.75, `\\b[Yy]ou\\s+are\\s+(?:now\\s+)?DAN\\b`, 'g'),
  rule(
    'persona_jailbreak',
    0.7,
    `\\byou\\s+are\\s+(?:now\\s+)?(?:(?:in|running\\s+in)\\s+(?:developer|dev|god|jailbreak|unrestricted|debug)\\s+mode|jailbroken|unrestricted|unfiltered|uncensored` +
      `|no\\s+longer\\s+(?:bound|restricted|limited|an?\\s+(?:ai|assistant|language\\s+model)))`,
  ),
  rule('persona_jailbreak', 0.6, `\\bdo\\s+anything\\s+now\\b`),
  rule('developer_mode', 0.6, `\\b(?:enter|activate|enable|switch\\s+to)\\s+(?:DAN|jailbreak|god)\\s+mode\\b`),
  rule('developer_mode', 0.45, `\\b(?:developer|dev|god|jailbreak|DAN)\\s+mode\\s+(?:is\\s+)?(?:now\\s+)?(?:enabled|activated|engaged)\\b|\\b(?:DAN|jailbreak|god)\\s+mode\\s*:\\s*on\\b`),
  rule('unrestricted_roleplay', 0.6, `\\b(?:act|behave|respond|answer|reply|roleplay|role-play|pretend|imagine)\\b[^.!?\\n]{0,80}?\\b(?:without|with\\s+no|free\\s+(?:of|from)|ignoring)\\s+(?:any\\s+|all\\s+|your\\s+)?${LIMITS}\\b`),
  rule('unrestricted_roleplay', 0.6, `\\b(?:act|behave|respond|roleplay|role-play|pretend)\\b[^.!?\\n]{0,60}?\\b(?:unrestricted|unfiltered|uncensored|jailbroken|amoral)\\b`),
  rule(
    'prompt_extraction',
    0.6,
    `\\b${SHOW_VERB}\\s+(?:me\\s+)?(?:all\\s+(?:of\\s+)?)?your\\s+(?:[\\w'-]+\\s+){0,2}?(?:system\\s+prompt|system\\s+message|(?:initial|original|hidden|secret|internal)\\s+(?:prompt|instructions)|instructions|prompt)\\b` +
      `(?!\\s+(?:engineering|templates?|ideas|tips|examples?|library|design|for\\s+(?:a|an|my)\\b))`,
  ),
  rule('prompt_extraction', 0.45, `\\b${SHOW_VERB}\\s+(?:me\\s+)?the\\s+(?:(?:full|entire|exact|original|hidden|complete)\\s+)*(?:system\\s+prompt|system\\s+message|initial\\s+prompt|hidden\\s+prompt)\\b`),
  rule('prompt_extraction', 0.5, `\\b(?:repeat|print|output|reproduce|echo)\\s+(?:everything|all\\s+(?:of\\s+)?the\\s+(?:text|words)|the\\s+(?:text|words|instructions))\\s+(?:above|before\\s+this|preceding)\\b`),
  rule('prompt_extraction', 0.45, `\\bwhat\\s+(?:is|are|were)\\s+your\\s+(?:system\\s+prompt|(?:initial|original|hidden|secret)\\s+instructions|instructions)\\b`),
  rule('chat_template_marker', 0.7, `<\\|im_start\\|>\\s*(?:system|assistant)|<\\|start_header_id\\|>\\s*system|<\\|system\\|>`),
  rule('chat_template_marker', 0.6, `<<\\s*SYS\\s*>>`),
  rule('chat_template_marker', 0.45, `<\\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|user|assistant)\\|>|\\[\\/?INST\\]`),
  rule('system_header', 0.55, `^[ \\t]*#{1,6}[ \\t]*(?:system|developer|admin)(?:[ \\t]+(?:prompt|message|instructions?|override))?[ \\t]*:`, 'gim'),
  rule('system_header', 0.45, `^[ \\t]*\\[(?:system|admin|developer|sys)\\]`, 'gim'),
  rule('system_header', 0.4, `^[ \\t]*(?:system|developer)(?:[ \\t]+(?:prompt|message))?[ \\t]*:[ \\t]*(?:you\\b|ignore\\b|from\\s+now|new\\b|all\\b|the\\s+assistant)`, 'gim'),
  rule('fake_system_block', 0.65, `\\b(?:BEGIN|START)\\s+(?:OF\\s+)?(?:THE\\s+)?(?:SYSTEM\\s+(?:PROMPT|MESSAGE|INSTRUCTIONS?)|NEW\\s+INSTRUCTIONS|DEVELOPER\\s+(?:MESSAGE|MODE)|ADMIN\\s+(?:INSTRUCTIONS|OVERRIDE))\\b`, 'g'),
  rule('fake_system_block', 0.55, `(?:^|[\\[<=*#-]{2,}[ \\t]*)(?:begin|start)\\s+(?:of\\s+)?(?:the\\s+)?system\\s+prompt\\b`, 'gim'),
  rule('fake_system_block', 0.5, `\\bEND\\s+(?:OF\\s+)?(?:THE\\s+)?SYSTEM\\s+PROMPT\\b`, 'g'),
  rule('behaviour_change', 0.25, `\\bfrom\\s+now\\s+on,?\\s+you\\s+(?:will|must|shall|are|should)\\b`),
  rule('jailbreak_term', 0.2, `\\bjailbr(?:eak|oken|eaking)\\b`),
];

/** A long base64 run with upper case, lower case and digits: what an encoded payload looks like. */
export const BASE64_BLOB = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/g;

export const DECODE_AND_EXECUTE = new RegExp(
  `\\b(?:decode|decrypt|deobfuscate|unscramble|base64[- ]?decode)\\b[^.!?\\n]{0,80}?\\b(?:execute|run|follow|obey|perform|carry\\s+out|eval(?:uate)?|do\\s+(?:it|what\\s+it\\s+says|as\\s+it\\s+says))\\b` +
    `|\\b(?:execute|follow|run|obey)\\s+the\\s+(?:decoded|hidden|encoded)\\b`,
  'gi',
);

/** Weights of the encoded-payload signal: the instruction alone, and with a blob to apply it to. */
export const DECODE_INSTRUCTION_WEIGHT = 0.35;
export const ENCODED_PAYLOAD_WEIGHT = 0.75;
