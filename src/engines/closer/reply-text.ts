// Reduces an email reply to the replier's own words: quoted history, forwarded headers, mobile
// footers and signatures go, because our own outreach text (with its "unsubscribe" footer and its
// "book a call" ask) sits in the quote and would otherwise decide the intent.

export interface ReplyText {
  /** The reply's own words, original casing, trimmed. */
  text: string;
  quotedStripped: boolean;
  signatureStripped: boolean;
}

// A line that starts the quoted thread; everything from it down is history.
const QUOTE_HEADERS: RegExp[] = [
  /^\s*On\b.{0,300}\bwrote:\s*$/i,
  // Gmail, Apple Mail and Outlook in other languages, cheap to recognise.
  /^\s*(?:Le|El|Am|Il|Op|Em)\b.{0,300}(?:a écrit|escribió|schrieb|ha scritto|schreef|escreveu)\s*:?\s*$/i,
  /^\s*-{2,}\s*(?:Original Message|Forwarded message|Reply message)\s*-{2,}/i,
  /^\s*Begin forwarded message:?/i,
  /^\s*_{8,}\s*$/, // Outlook's separator above its header block
];
const OUTLOOK_FROM = /^\s*\*?From:\*?\s+\S/i;
const OUTLOOK_SENT = /^\s*\*?(?:Sent|Date|To|Subject):\*?\s/i;
// Mobile / client footers: the reply is above them, the quote (if any) below.
const CLIENT_FOOTERS =
  /^\s*(?:Sent from my \S+|Sent from (?:Outlook|Mail|Yahoo Mail|Gmail|Samsung|my mobile|my phone)\b|Get Outlook for (?:iOS|Android)|Sent via \S+)/i;
const SIGNATURE_DELIMITER = /^\s*(?:--|—|__)\s*$/;
const SIGN_OFF =
  /^\s*(?:kind(?:est)? regards|best regards|warm(?:est)? regards|many thanks|thanks again|thanks so much|thanks|thank you|thx|regards|best wishes|all the best|best|cheers|sincerely|yours sincerely|yours truly|yours faithfully|talk soon|speak soon|ta|rgds|kr)\b[\s,.!-]*(.*)$/i;
// After a sign-off word only a name may follow on the line ("Cheers, Bob"); "Thanks, not interested" is the reply.
const SIGN_OFF_NAME = /^(?:[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)?\s*$/;

function isSignOff(line: string): boolean {
  const m = SIGN_OFF.exec(line);
  return m !== null && SIGN_OFF_NAME.test(m[1]);
}

// Our own footer, if a client pasted the original without quote marks.
const OUR_FOOTER_LINE = /^\s*unsubscribe:\s*https?:\/\//i;

function isQuoteHeader(lines: string[], i: number): boolean {
  const line = lines[i];
  if (QUOTE_HEADERS.some((re) => re.test(line))) return true;
  // "On Mon, 5 Jan 2026 at 10:02, Sam <sam@x.com>" wrapped onto a second line ending "wrote:".
  if (/^\s*On\b/i.test(line) && i + 1 < lines.length && /\bwrote:\s*$/i.test(lines[i + 1]) && line.length + lines[i + 1].length < 400) {
    return true;
  }
  // Outlook: "From: …" followed within a few lines by "Sent: …" / "Date: …".
  if (OUTLOOK_FROM.test(line)) {
    for (let j = i + 1; j < Math.min(lines.length, i + 5); j++) if (OUTLOOK_SENT.test(lines[j])) return true;
  }
  return false;
}

export function extractReplyText(raw: string): ReplyText {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let quotedStripped = false;
  let signatureStripped = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isQuoteHeader(lines, i)) {
      quotedStripped = true;
      break;
    }
    if (CLIENT_FOOTERS.test(line) || SIGNATURE_DELIMITER.test(line)) {
      signatureStripped = true;
      break;
    }
    if (/^\s*>/.test(line)) {
      // Quoted line; inline replies between quoted blocks are kept.
      quotedStripped = true;
      continue;
    }
    if (OUR_FOOTER_LINE.test(line)) {
      quotedStripped = true;
      continue;
    }
    const hasContentAbove = kept.some((l) => l.trim().length > 0);
    if (hasContentAbove && isSignOff(line)) {
      // What follows a sign-off is the sender's name, title, phone: not the reply, and its phone and
      // email must not be mistaken for a referral.
      signatureStripped = true;
      break;
    }
    kept.push(line);
  }
  const text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, quotedStripped, signatureStripped };
}

// Misspellings seen in real replies, mapped to the word the rules look for.
const TYPOS: [RegExp, string][] = [
  [/\b(?:intrested|intersted|interseted|interrested|intereseted|insterested|interestd|intereted|intrestd|intrested|interesed)\b/g, 'interested'],
  [/\b(?:intresting|intersting|interesing|interestin)\b/g, 'interesting'],
  [/\b(?:unsubscibe|unsubcribe|unsuscribe|unsubsribe|unsubscrbe|unsubscrib|unsubscirbe|unsusbcribe|un-subscribe|un subscribe|unsub)\b/g, 'unsubscribe'],
  [/\bmeating\b/g, 'meeting'],
  [/\bcalender\b/g, 'calendar'],
  [/\b(?:availble|availible|avaliable|avalable|avail)\b/g, 'available'],
  [/\b(?:tommorow|tomorow|tommorrow|tmrw|tmr|tomorro)\b/g, 'tomorrow'],
  [/\b(?:wednsday|wensday|wedensday)\b/g, 'wednesday'],
  [/\b(?:pls|plz|plse|plase)\b/g, 'please'],
  [/\b(?:thx|thnx|thanx|tks)\b/g, 'thanks'],
  [/\b(?:e-mail|emial|emal)\b/g, 'email'],
  [/\b(?:e-mails|emials)\b/g, 'emails'],
  [/\b(?:e-mailing|emialing)\b/g, 'emailing'],
  [/\b(?:offcie|ofice|offce)\b/g, 'office'],
  [/\bdont\b/g, "don't"],
  [/\bwont\b/g, "won't"],
  [/\bcant\b/g, "can't"],
  [/\bisnt\b/g, "isn't"],
  [/\barent\b/g, "aren't"],
  [/\bdoesnt\b/g, "doesn't"],
  [/\bdidnt\b/g, "didn't"],
  [/\bwouldnt\b/g, "wouldn't"],
  [/\bim\b/g, "i'm"],
  [/\bive\b/g, "i've"],
  [/\bid\b(?= (?:be|love|like|prefer))/g, "i'd"],
  [/\blets\b/g, "let's"],
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
];

/** Lower case, plain apostrophes and dashes, collapsed spaces, common typos fixed: what the rules match. */
export function normalizeForMatching(text: string): string {
  let s = text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201B`\u00B4]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .toLowerCase()
    .replace(/[ \t\u00A0]+/g, ' ');
  for (const [re, word] of TYPOS) s = s.replace(re, word);
  return s.trim();
}
