// The phrase tables behind the rule classifier. Each rule has a label (reported as a signal) and a
// weight: 1 for a phrase that settles the intent on its own ("not interested"), lower for hints
// ("sounds good"). Patterns run on normalised text (lower case, plain apostrophes, typos fixed).

export interface Rule {
  label: string;
  re: RegExp;
  weight: number;
}

const r = (label: string, re: RegExp, weight = 1): Rule => ({ label, re, weight });

/** Whole-message opt-outs ("STOP", "unsubscribe.") and phrases asking not to be contacted again. */
export const UNSUBSCRIBE_RULES: Rule[] = [
  r('keyword', /^(?:please )?(?:stop(?: (?:it|this|now|please|all))?|stopall|unsubscribe|remove|remove me|opt out|optout|cancel|quit|end)[\s.!]*$/),
  // "STOP" as a sentence or line of its own at the end ("5th email this week. Stop.").
  r('stop', /(?:[.!?]\s+|\n\s*)(?:please )?stop(?: it| now| please)?[.!]*\s*$/),
  r('unsubscribe', /\bunsubscribe\b/),
  r('remove me', /\bremove (?:me|us|my (?:email|address|name|details|contact details|info|information)|this (?:email|address))\b/),
  r('take me off', /\btake (?:me|us|my (?:email|name|address)) off\b/),
  r('off your list', /\boff (?:your|the|this) (?:list|mailing list|email list|distribution list|database|contact list)\b/),
  r(
    'stop emailing',
    /\b(?:stop|quit|cease) (?:emailing|mailing|sending|contacting|messaging|texting|calling|spamming|writing to|reaching out|following up|harassing)\b/,
  ),
  r('do not contact', /\b(?:don't|do not|never) (?:email|contact|message|text|call|write to|reach out to) (?:me|us)\b/),
  r('do not contact', /\b(?:don't|do not) (?:send|want) (?:me |us )?(?:any )?(?:more|further) (?:emails|messages|marketing|info|information|offers)\b/),
  r('no more emails', /\bno (?:more|further) (?:emails|messages|contact|marketing)\b/),
  r('opt out', /\bopt(?:ing)?[ -]?(?:me |us )?out\b/),
  r('spam', /\b(?:this is spam|stop (?:the )?spam|report(?:ed|ing)? (?:you|this|it) (?:as|for) spam|mark(?:ed|ing)? (?:you|this|it) as spam)\b/),
  r('leave me alone', /\bleave (?:me|us) alone\b/),
  r('delete my data', /\bdelete (?:my|our) (?:data|details|information|email|contact details)\b/),
  r('keeps emailing', /\bwhy (?:do|are|does) (?:you|your company) (?:keep|still) (?:emailing|contacting|messaging|sending)\b/),
];

/** Auto-reply markers: when present, a reply is an out-of-office even if it also says "call me". */
export const AUTO_REPLY_SUBJECT =
  /\b(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (?:the )?office|ooo|away from (?:the )?office|on leave|annual leave|on holiday|on vacation|abwesenheitsnotiz|absence)\b/i;

export const OOO_AUTO_RULES: Rule[] = [
  r('automatic reply', /\b(?:automatic|automated|auto)[- ]?(?:reply|response|message|email)\b|\bautoreply\b/),
  r('on leave', /\bon (?:annual|parental|maternity|paternity|long service|sick|personal|extended|study|carer's|bereavement|compassionate|planned) leave\b/),
  r(
    'limited email access',
    /\b(?:limited|no|intermittent|without|restricted) (?:access to (?:my )?|)(?:email|emails|inbox|internet|connectivity)\b|\blimited access\b/,
  ),
  r(
    'will respond on return',
    /\b(?:respond|reply|get back to you|action (?:your|this)|attend to|be in touch|read your (?:email|message)|deal with)\b[^.]{0,60}\b(?:on|upon|when|after) (?:my|i) (?:return|get back|am back|'m back|come back)\b/,
  ),
  r('on my return', /\b(?:on|upon) my return\b/),
];

// A person can write these too ("I'm out of the office next week, but send it over"), so alone they
// leave room for the positive signals next to them.
export const OOO_RULES: Rule[] = [
  r('out of office', /\bout of (?:the )?office\b|\booo\b/, 0.9),
  r(
    'away',
    /\b(?:i am|i'm|i will be|i'll be|currently|we are|we're|the office is|our office is)(?: currently| now)? (?:away|out|on leave|on holidays?|on vacation|on annual leave|travell?ing|overseas|offline|off work|on a break|on break|closed)\b/,
    0.8,
  ),
  r('away until', /\b(?:i am|i'm|we are|we're)(?: currently)? (?:in|at|on) [^.!?\n]{1,30}\b(?:until|till|til|through)\b/, 0.7),
  r('back on', /\b(?:i will be|i'll be|i am|i'm|will be) back\b/, 0.7),
  r('returning', /\b(?:returning|return) (?:to (?:the )?(?:office|work) )?(?:on|from)\b/, 0.7),
  r('back in the office', /\bback (?:in|at) (?:the )?(?:office|work|my desk)\b/, 0.8),
  r(
    'if urgent',
    /\b(?:if|for) (?:this is |your (?:matter|enquiry|inquiry|request) is |anything )?urgent\b|\burgent (?:matters|enquiries|inquiries|requests)\b/,
    0.6,
  ),
];

/** Replies an auto-responder sends that do not say the person is away ("we received your email"). */
export const AUTO_ACK =
  /\b(?:we(?:'ve| have)? received your (?:email|message|enquiry|inquiry)|thank you for (?:your|contacting)[^.]{0,40}(?:we|our team) will (?:respond|reply|get back)|this (?:mailbox|inbox|address) is (?:not|no longer) monitored)\b/;

export const WRONG_PERSON_RULES: Rule[] = [
  r('not the right person', /\bnot (?:the|a) (?:right|correct|best|appropriate|relevant|ideal|proper) (?:person|contact|one|people|guy|team|department)\b/),
  r('wrong person', /\b(?:wrong|incorrect) (?:person|contact|guy|email|address|number|department|team|company)\b/),
  r(
    'not responsible',
    /\b(?:i'm|i am|he's|he is|she's|she is|they're|they are) not (?:responsible|in charge|the decision[- ]maker|the one who|involved|the person who)\b/,
  ),
  r('no longer works there', /\bno longer (?:works?|working|employed|with|at|part of|in (?:this|that) role|handles?|looks? after|responsible)\b/),
  r(
    'left the company',
    /\b(?:has|have|had) (?:left|moved on|retired)\b|\b(?:left|leaving|retired from) the (?:company|business|organisation|organization|firm|practice|agency|team)\b/,
  ),
  r(
    "doesn't work here",
    /\b(?:doesn't|does not|don't|do not) work (?:here|there|for us|with us)(?: anymore| any more)?\b|\bnot with (?:us|the company|the business) (?:anymore|any more)\b/,
  ),
  r(
    'not my area',
    /\b(?:not|isn't|is not) (?:my|our) (?:area|department|responsibility|call|decision|role|remit|domain|field)\b|\boutside (?:my|our) (?:area|remit|scope)\b/,
  ),
  r(
    'redirected',
    /\b(?:contact|speak to|speak with|talk to|talk with|reach out to|email|try|ask) (?:our|my|the) (?:\w+ ){0,2}(?:team|department|dept|manager|director|head|colleague|boss|ceo|owner|founder|partner|office)\b(?: instead)?/,
    0.75,
  ),
  r(
    'forwarded it on',
    /\b(?:i've|i have|i'll|i will|have|i) (?:forwarded|passed|sent|handed) (?:this|your (?:email|message|note|details|enquiry|inquiry)|it)(?: on| along| over)? to\b/,
    0.7,
  ),
  r("doesn't handle", /\b(?:i|we) (?:don't|do not) (?:handle|look after|manage|deal with|make decisions (?:on|about)|look at)\b/),
];

/** Negators that flip "interested" / "keen" when they come up to three words before it. */
// Scope stops at punctuation and at "but" ("no, but I'd be interested in…" is interest).
export const NEGATED_INTEREST =
  /\b(?:not|never|no longer|nor|hardly|isn't|aren't|wasn't|weren't|won't|wouldn't|don't|doesn't|didn't|no)\b(?:\s+(?!but\b)[\w']+){0,3}?\s+(?:interested|keen|interest)\b/g;

export const NOT_INTERESTED_RULES: Rule[] = [
  r(
    'no thanks',
    /\b(?:no,? thanks|no,? thank you|no thx|no ty|nah,? thanks|no,? we're good|no,? i'm good|thanks,? but no(?: thanks)?|no,? not (?:at all|really))\b/,
  ),
  r('no', /^(?:no|nope|nah|no\.|not really|no way)[\s.!]*$/),
  r('lost interest', /\b(?:lost|zero|little) interest\b|\bnot of interest\b|\bof no interest\b/),
  r('pass', /\b(?:i'll|we'll|i will|we will|i'm going to|we're going to|going to|have to|i'd|we'd|will) pass\b|\bpass on (?:this|that|it|your offer)\b/, 0.9),
  r(
    "we're good",
    /\b(?:we're|we are|i'm|i am) (?:all )?(?:good|set|covered|sorted|fine|ok|okay)(?: (?:thanks|thank you|for now|here|on that front|in that department))?\b|\ball (?:good|set|sorted),? thanks\b/,
    0.8,
  ),
  r(
    'not a fit',
    /\bnot (?:a |the )?(?:good |great |right |strong )?fit\b|\bnot (?:relevant|applicable|suitable|right for us)\b|\b(?:doesn't|does not) (?:apply|suit us|fit)\b/,
    0.9,
  ),
  r('not for us', /\bnot (?:for us|for me|something (?:we|i) (?:need|want|require|do)|what (?:we|i)(?:'re| are| am|'m) looking for)\b/, 0.9),
  r(
    "don't need",
    /\b(?:don't|do not|doesn't|does not|won't|will not) (?:need|require|want)\b|\bno (?:need|requirement|use) for\b|\bnot needed\b|\bno need\b/,
    0.9,
  ),
  r(
    'already have',
    /\balready (?:have|has|use|using|work with|working with|got|engaged|partnered|partner with|signed|sorted|covered|have someone|in contract)\b|\b(?:happy|satisfied|content) with (?:our|my|the) (?:current|existing|present)\b|\bhave (?:an|our own|a) (?:agency|provider|partner|team|person)\b/,
    0.9,
  ),
  r('in-house', /\bin[- ]house\b/, 0.7),
  r('not looking', /\b(?:not|aren't|isn't|am not) (?:currently )?(?:looking|in the market|shopping)\b|\bno plans to\b|\bnot planning\b/, 0.8),
  r(
    'decline',
    /\b(?:decline|declining|respectfully decline|won't be proceeding|not proceeding|will not be proceeding|not going to proceed|not moving forward|not in a position to)\b/,
    0.9,
  ),
  r(
    'went elsewhere',
    /\b(?:go|going|gone|went|decided to go|proceed(?:ed|ing)?) with (?:another|a different|someone else|other|an? (?:other|existing))\b/,
    0.9,
  ),
  r("don't follow up", /\b(?:don't|do not|no need to|please don't) (?:follow up|chase)\b/, 1),
];

/** "Not now": a no that may be a yes later, so it never settles the intent with high confidence. */
export const DEFERRAL_RULES: Rule[] = [
  r(
    'not right now',
    /\bnot (?:right )?now\b|\bnot at (?:the moment|this (?:time|stage|point|point in time))\b|\bnot (?:currently|this (?:year|quarter|month))\b/,
    0.5,
  ),
  r(
    'maybe later',
    /\bmaybe (?:next|in|later|down the track|after)\b|\b(?:next|in a few|in a couple of|in) (?:quarter|months|year|financial year|fy)\b|\bdown the (?:track|road|line)\b|\blater (?:in the|this) year\b|\bnew (?:financial )?year\b/,
    0.5,
  ),
  r(
    'circle back',
    /\b(?:circle|check|reach out|follow up|touch base|come|get) back (?:to (?:me|us) )?(?:in|next|later|after|around|closer)\b|\b(?:try|contact|email) (?:me|us) (?:again )?(?:in|next|later|after)\b|\breach out (?:again )?(?:in|next|later|after)\b|\brevisit\b/,
    0.5,
  ),
  r(
    'bad timing',
    /\b(?:timing (?:isn't|is not|isn't quite|is not quite) (?:right|great|good|ideal)|bad timing|not the right time|wrong time|not a (?:good|great) time)\b/,
    0.5,
  ),
  r('busy', /\b(?:too|very|really|flat out|pretty|extremely) busy\b|\bflat out\b|\bnot a priority\b|\bother priorities\b/, 0.5),
  r(
    'no budget',
    /\bno budget\b|\b(?:don't|do not|doesn't|does not) have (?:the |a |any )?budget\b|\bbudget (?:is|has been) (?:tight|frozen|spent|allocated|committed)\b|\bbudgets? (?:are|is) (?:locked|set)\b/,
    0.5,
  ),
];

const DAY_OR_TIME =
  '(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day)?|tomorrow|today|next week|this week|(?:this|tomorrow) (?:morning|afternoon|arvo|evening)|\\d{1,2}(?::\\d{2})?\\s?(?:am|pm)|\\d{1,2}:\\d{2}|morning|afternoon|arvo|lunchtime|(?:early|late|mid|end of) (?:next )?week';
const MEETING_NOUN =
  '(?:call|chat|meeting|meet|zoom|teams(?: call)?|google meet|demo|catch[- ]?up|coffee|conversation|session|appointment|video call|phone call)';

export const MEETING_RULES: Rule[] = [
  r(
    'book a time',
    new RegExp(
      `\\b(?:book|schedule|set up|setup|arrange|organi[sz]e|lock in|line up|pencil in|find) (?:in )?(?:a |an |some )?(?:quick |short |brief |15[- ]?min(?:ute)? |30[- ]?min(?:ute)? |half[- ]hour )?(?:time|${MEETING_NOUN})\\b`,
    ),
    0.9,
  ),
  r(
    "let's talk",
    new RegExp(
      `\\b(?:let's|can we|could we|shall we|happy to|keen to|love to|like to|want to|glad to|open to|up for|would be good to|i'd like to|we'd like to|i'd love to|we'd love to|free to)(?: \\w+){0,2} (?:(?:meet|chat|talk|speak|connect|catch up)\\b|(?:have|do|grab|set up|book|schedule|jump on|hop on|get on)(?: (?:a|an))?(?: quick| short| brief)? ${MEETING_NOUN}\\b)`,
    ),
    1,
  ),
  r(
    'send an invite',
    /\b(?:send|share|shoot|flick|forward)(?: me| us| over| through| across){0,2} (?:a |an |your |the )?(?:calendar |meeting |calendly |booking |zoom |teams )?(?:invite|invitation|calendly|booking link|calendar link|link to book|availability|available times|times)\b/,
    1,
  ),
  r(
    'call me',
    /\b(?:call|ring|phone|text) (?:me|us|my (?:mobile|cell|phone|number|direct line))\b|\b(?:contact|reach|text|message) (?:me|us) (?:on|at)\b|\bgive (?:me|us) a (?:call|ring|buzz|bell|tinkle)\b/,
    1,
  ),
  r(
    'what times work',
    /\bwhat (?:time|times|day|days|date|dates)(?: (?:are|is))? (?:work|works|suit|suits|good|best|would work|are you free)\b|\bwhen (?:are|is) (?:you|your team|a good time)\b|\bwhat(?:'s| is) your availability\b|\bwhen suits\b|\bwhen works\b|\bwhen (?:can|could|would|shall|should) (?:you|we) (?:meet|chat|talk|speak|catch up|jump on|hop on|do a call|get together)\b/,
    1,
  ),
  r(
    'i am free',
    new RegExp(
      `\\b(?:i'm|i am|we're|we are)(?: (?!not\\b)\\w+)? (?:free|available)(?: (?:on|at|this|next|any|from|between|after|before|tomorrow|today|for))?\\b`,
    ),
    0.9,
  ),
  r(
    'proposes a time',
    new RegExp(
      `\\b(?:how about|what about|does|would|could we do|can we do|let's do|let's say|say|shall we say|try|works for me on|i can do|we can do)(?: a)? (?:${DAY_OR_TIME})\\b`,
    ),
    1,
  ),
  r(
    'time works',
    new RegExp(`\\b(?:${DAY_OR_TIME})(?: \\w+){0,3} (?:works|suits|is good|is fine|is great|would work|could work|is free|is perfect|is best|works well)\\b`),
    1,
  ),
  r('calendar link', /\bcalendly\b|\bcal\.com\b|\bmy calendar\b|\bbook (?:a )?time\b|\bbooking link\b/, 0.9),
  r('meeting mentioned', new RegExp(`\\b(?:a|quick|short|brief|15 ?min(?:ute)?|30 ?min(?:ute)?) ${MEETING_NOUN}\\b`), 0.5),
];

export const INTERESTED_RULES: Rule[] = [
  r(
    'tell me more',
    /\btell me more\b|\b(?:love|like|keen|happy|interested) to (?:learn|hear|know|find out|see|understand) more\b|\blearn more\b|\bmore (?:info|information|details) (?:please|would be)\b/,
    0.9,
  ),
  r(
    'send info',
    /\b(?:send|share|forward|shoot|pass|flick|email)(?: me| us| over| through| across){0,2} (?:some |more |the |a |an |your |any )?(?:info|information|details|deck|brochure|proposal|quote|pricing|price list|rates|case stud(?:y|ies)|examples|portfolio|overview|one[- ]pager|more)\b/,
    0.8,
  ),
  r(
    'sounds good',
    /\b(?:sounds|looks) (?:good|great|interesting|promising|like a plan|perfect|awesome|fantastic|excellent|intriguing|useful)\b|\bthat works\b|\b(?:that|this|it) (?:would|could) be (?:great|good|helpful|useful|awesome|perfect|handy|valuable)\b|\bi'm in(?=\s*(?:[.!,]|$))|\bcount (?:me|us) in\b|\blet's (?:do it|do this|go|proceed|get started|go ahead)\b|\bgo ahead\b|\bplease proceed\b/,
    0.8,
  ),
  r('yes', /^(?:yes|yep|yeah|yup|sure|definitely|absolutely|of course|for sure|why not|yes please|sure thing)\b/, 0.75),
  r(
    'email me the details',
    /\b(?:email|send|forward) (?:me|us|it|them|through|over)\b[^?!\n]{0,80}?\b(?:details|info|information|proposal|pricing|deck|overview|more)\b/,
    0.8,
  ),
  r(
    'open to it',
    /\b(?:open to|up for|worth) (?:it|this|that|learning|exploring|hearing|a conversation|discussing|a look|exploring|the idea)\b|\bcould be (?:useful|interesting|a fit|good|worthwhile|helpful)\b|\bmight be (?:useful|interesting|a fit|worthwhile|helpful)\b/,
    0.7,
  ),
  r(
    'good timing',
    /\b(?:good|great|perfect) timing\b|\b(?:we've|we have|i've|i have) been (?:looking|meaning|thinking|wanting)\b|\bjust what (?:we|i) (?:need|needed|were looking for)\b/,
    0.9,
  ),
  r('love to', /\b(?:i'd|we'd|would) (?:love|like) (?:to|that|this|it)\b|\blove (?:this|that|it|the idea)\b/, 0.7),
  r('ok', /^(?:ok|okay|k|cool|nice|great|good|alright)[\s.!]*$/, 0.2),
];

export const QUESTION_RULES: Rule[] = [
  r(
    'pricing question',
    /\b(?:how much|what (?:does|do|would|will) (?:it|this|that|you|the \w+) cost|what(?:'s| is| are) (?:the |your )?(?:price|pricing|cost|costs|fees?|rates?)|(?:price|pricing|cost|fees?|rates?)\?)/,
    0.9,
  ),
  r(
    'who are you',
    /\bwho (?:is this|are you|is this from)\b|\bwhat (?:company|business) (?:is this|are you)\b|\bhow did you (?:get|find) (?:my|our|this)\b|\bwhere did you (?:get|find)\b/,
    0.85,
  ),
  r('wh-question', /(?:^|[.!?\n]\s*)(?:what|how|why|when|where|which|who|can|could|do|does|is|are|would|will|have|has)\b[^.!?\n]{2,}\?/, 0.75),
  r('can you explain', /\b(?:can|could|would) you (?:explain|clarify|tell me|let me know|elaborate|outline|confirm)\b/, 0.7),
  r('question mark', /\?/, 0.5),
];

/** Hedges: the replier is unsure, so is the classification. */
export const HEDGE = /\b(?:not sure|unsure|don't know (?:if|whether)|no idea (?:if|whether)|maybe|perhaps|possibly|might be|we'll see|depends)\b/;
