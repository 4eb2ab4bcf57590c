// Who a reply points us to: "please contact Sarah Lee at sarah@acme.com", "I've cc'd our CMO, Sarah",
// "Sarah (0412 345 678) looks after marketing". Contact details are only taken near the referring
// phrase, so the replier's own details elsewhere in the reply are not mistaken for the referral.
import type { ReferralContact } from './classification';

// Phrases that hand us to someone else, followed by that someone. Objects such as "me", "us" or
// "on 0412…" are excluded ("call me on…", "email us"): that is the lead asking to be contacted.
const REFERRAL_BEFORE =
  /\b(?:please\s+)?(?:contact|reach out to|reach|speak to|speak with|speaking to|speaking with|talk to|talk with|talking to|talking with|get in touch with|connect with|email|e-mail|ring|call|try|ask|write to|direct (?:your|this|any) (?:email|enquiry|inquiry|message|request|questions?) to|send (?:it|this|that|them|your \w+|the \w+|any \w+) (?:over |through )?to|forward(?:ed|ing)? (?:this|your \w+|the \w+|it|you) (?:on |over )?to|pass(?:ed|ing)? (?:this|your (?:email|message|details)|it) (?:on |over |along )?to|cc'?(?:d|ed|ing)|copied|copying|copy(?:ing)? in|loop(?:ed|ing)? in|added|introduce you to|put you in touch with|that would be|that'd be|you(?:'ll| will| would|'d)? (?:want|need)(?: to (?:speak|talk) (?:to|with))?|(?:best|right|correct|better|appropriate) (?:person|contact|people)(?: (?:to (?:speak|talk|chat) (?:to|with)|for (?:this|that|marketing|it)))?(?: (?:is|are|would be|will be))?)\b(?!\s+(?:me|us|myself|ourselves|on|at|anytime|any|back|whenever|tomorrow|today|next|this|if|when|to|for|about|again|later|you|details|info|information|form|page|number|list|my (?:mobile|cell|phone|number|direct line|landline|desk))\b(?!@))/gi;
// "<Name> handles / looks after / is the best person…": the name comes first.
const REFERRAL_AFTER =
  /\b(?:handles|looks after|manages|runs|oversees|takes care of|is responsible for|is in charge of|heads up|would be (?:the|a) (?:best|better|right|correct) (?:person|contact|fit)|is (?:the|a|our) (?:best|better|right|correct) (?:person|contact)|is who you (?:want|need|should))\b/gi;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\s.-]?\d){6,14}/g;
// Capitalised words in a run ("Sarah Lee", "Mary-Jane O'Brien", "McDonald"), split by single spaces.
const WORD = "[A-Z][a-zA-Z]*(?:['\u2019-][A-Za-z]+)*";
const CAPITALISED_RUN = new RegExp(`${WORD}(?: ${WORD})*`, 'g');
const NAME_AT_END = new RegExp(`(${WORD}(?: ${WORD}){0,4})\\s*(?:\\(|<|\\[|-|:|,|\\bat\\b|\\bon\\b|\\bvia\\b)?\\s*$`);

// Words that are capitalised but are not a person's name: roles, pronouns, greetings, days, months.
const NOT_NAME = new Set(
  (
    'i a an the our my your their his her he she they we you it this that please contact hi hello hey dear thanks thank regards ' +
    'cheers mr mrs ms miss dr prof sir madam marketing sales director manager head of ceo cmo coo cfo cto cio cro vp svp evp gm ' +
    'founder co-founder cofounder owner partner principal president chief officer executive lead leader team department dept ' +
    'general managing operations ops business development growth digital brand communications comms hr it admin office ' +
    'practice accounts finance procurement purchasing assistant coordinator specialist senior junior group national regional ' +
    'customer success support services service linkedin email phone mobile tel ph m p e w ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september ' +
    'october november december unfortunately however also and or but so if when'
  ).split(/\s+/),
);

function trimName(run: string): string | undefined {
  const tokens = run.split(' ');
  let start = 0;
  let end = tokens.length;
  while (start < end && NOT_NAME.has(tokens[start].toLowerCase())) start++;
  while (end > start && NOT_NAME.has(tokens[end - 1].toLowerCase())) end--;
  const name = tokens.slice(start, end);
  // One to three words, none a role word, not just initials.
  if (name.length === 0 || name.length > 3 || name.some((t) => NOT_NAME.has(t.toLowerCase())) || name.every((t) => t.length < 2)) {
    return undefined;
  }
  return name.join(' ');
}

/** The first plausible person's name in `text` (original casing), with where it starts. */
function firstName(text: string): { name: string; index: number } | undefined {
  CAPITALISED_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CAPITALISED_RUN.exec(text)) !== null) {
    const name = trimName(m[0]);
    if (name) return { name, index: m.index + m[0].indexOf(name) };
  }
  return undefined;
}

/** The name written directly before `index` ("Sarah Lee (", "Sarah Lee <", "Sarah Lee at ", "Sarah Lee - "). */
function nameBefore(text: string, index: number): string | undefined {
  const m = NAME_AT_END.exec(text.slice(Math.max(0, index - 80), index));
  return m ? trimName(m[1]) : undefined;
}

function phoneIn(text: string): string | undefined {
  PHONE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PHONE.exec(text)) !== null) {
    const digits = m[0].replace(/\D/g, '');
    // 8–15 digits: shorter is a reference number, longer is not a phone (E.164 max 15).
    if (digits.length >= 8 && digits.length <= 15) return m[0].trim();
  }
  return undefined;
}

/** The slice a referring phrase speaks about: to the end of its paragraph, at most 250 characters. */
function windowAfter(text: string, from: number): string {
  const rest = text.slice(from, from + 250);
  const paragraphEnd = rest.search(/\n\s*\n/);
  return paragraphEnd === -1 ? rest : rest.slice(0, paragraphEnd);
}

function contactFrom(window: string, knownName?: string): ReferralContact | undefined {
  EMAIL.lastIndex = 0;
  const emailMatch = EMAIL.exec(window);
  const withoutEmails = window.replace(EMAIL, ' ');
  const phone = phoneIn(withoutEmails);
  let name = knownName;
  if (!name) {
    const named = firstName(withoutEmails);
    // The name must come before the email: it is the one the phrase speaks about.
    name = named && (!emailMatch || named.index < emailMatch.index) ? named.name : undefined;
  }
  if (!name && emailMatch) name = nameBefore(window, emailMatch.index);
  const contact: ReferralContact = {};
  if (name) contact.name = name;
  if (emailMatch) contact.email = emailMatch[0].toLowerCase();
  if (phone) contact.phone = phone;
  return contact.name || contact.email || contact.phone ? contact : undefined;
}

export interface ReferralFinding {
  contact: ReferralContact;
  /** The referring phrase that matched (lower case), for the classification's signals. */
  phrase: string;
}

/** The referred contact in a reply's own words (original casing), or undefined. */
export function extractReferral(text: string): ReferralFinding | undefined {
  REFERRAL_BEFORE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = REFERRAL_BEFORE.exec(text)) !== null) {
    const contact = contactFrom(windowAfter(text, m.index + m[0].length));
    if (contact) return { contact, phrase: m[0].toLowerCase().trim() };
  }
  REFERRAL_AFTER.lastIndex = 0;
  while ((m = REFERRAL_AFTER.exec(text)) !== null) {
    // Details may sit between the name and the verb ("Sarah (sarah@acme.com) handles…") or after it.
    const sentenceStart = Math.max(text.lastIndexOf('\n', m.index), text.lastIndexOf('. ', m.index), 0);
    const subject = text.slice(sentenceStart, m.index);
    const bare = subject
      .replace(/\([^)]*\)|<[^>]*>|\[[^\]]*\]/g, ' ')
      .replace(EMAIL, ' ')
      .replace(PHONE, ' ')
      .trimEnd();
    const name = nameBefore(bare, bare.length);
    if (!name) continue;
    const contact = contactFrom(`${subject} ${windowAfter(text, m.index + m[0].length)}`, name);
    if (contact) return { contact, phrase: m[0].toLowerCase().trim() };
  }
  return undefined;
}
