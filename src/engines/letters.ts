// Direct-mail letters: the row a mail touch stores (sender block, address block, copy, opt-out
// line: everything the page is drawn from), the PDF drawn from it with PDFKit, and the signed,
// expiring URL the print provider downloads it from (GET /api/v1/letters/{id}.pdf?exp=&sig=).
//
// The PDF is rendered on demand from the stored row, never stored itself: the same row always
// gives the same text, and the row is written once per touch (its send key), before the provider
// is asked to print it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import PDFDocument from 'pdfkit';
import type { Db, Letter, Prisma } from '../db/client';
import type { PostalAddress } from './postal-address';

/** How long a letter URL works: the provider downloads it when the letter is submitted. */
export const LETTER_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface LetterParty {
  name: string;
  /** The block's lines under the name, as printed. */
  lines: string[];
  /** The recipient's structured address (what the provider is given). */
  address?: PostalAddress;
}

export interface LetterInput {
  idempotencyKey: string;
  clientId: string;
  campaignId: string | null;
  leadId: string;
  touchNumber: number | null;
  sender: LetterParty;
  recipient: LetterParty;
  body: string;
  optOut: string;
}

/** The touch's letter: written the first time, read back after (a retried attempt prints the same letter). */
export async function prepareLetter(db: Db, l: LetterInput): Promise<Letter> {
  return db.letter.upsert({
    where: { idempotencyKey: l.idempotencyKey },
    create: {
      idempotencyKey: l.idempotencyKey,
      clientId: l.clientId,
      campaignId: l.campaignId,
      leadId: l.leadId,
      touchNumber: l.touchNumber,
      sender: l.sender as unknown as Prisma.InputJsonValue,
      recipient: l.recipient as unknown as Prisma.InputJsonValue,
      body: l.body,
      optOut: l.optOut,
    },
    update: {},
  });
}

export const letterParty = (json: Prisma.JsonValue): LetterParty => json as unknown as LetterParty;

// The signature covers the letter and the expiry; a domain prefix keeps it from being valid as any
// other HMAC this secret makes (unsubscribe tokens, callbacks).
const mac = (letterId: string, exp: number, secret: string) => createHmac('sha256', secret).update(`letter-pdf:v1:${letterId}:${exp}`).digest();

/** `<base>/api/v1/letters/<id>.pdf?exp=<epoch s>&sig=<base64url HMAC>`. */
export function signedLetterUrl(publicUrl: string, letterId: string, secret: string, now: Date, ttlSeconds = LETTER_URL_TTL_SECONDS): string {
  if (!secret) throw new TypeError('letter URLs need a signing secret');
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/letters/${letterId}.pdf?exp=${exp}&sig=${mac(letterId, exp, secret).toString('base64url')}`;
}

export type LetterUrlCheck = 'ok' | 'bad_signature' | 'expired';

/** Signature first (unsigned input is never trusted), then the expiry. */
export function checkLetterSignature(letterId: string, exp: number, sig: string, secret: string, now: Date): LetterUrlCheck {
  const given = Buffer.from(sig, 'base64url');
  const want = mac(letterId, exp, secret);
  if (given.length !== want.length || given.toString('base64url') !== sig || !timingSafeEqual(given, want)) return 'bad_signature';
  return exp * 1000 < now.getTime() ? 'expired' : 'ok';
}

const mm = (v: number) => (v * 72) / 25.4;

// A4, with the address block where a DL window envelope shows it (a sheet folded in three): 20 mm
// from the left, 45 mm from the top, 90 × 35 mm — the window position of AS/ISO DL envelopes and of
// ClickSend's letter template.
const WINDOW = { x: mm(20), y: mm(45), width: mm(90), height: mm(35) };
const MARGIN = mm(20);

/** The letter as a PDF (A4; sender block top right, address in the window, copy, opt-out line). */
export function renderLetterPdf(letter: Pick<Letter, 'id' | 'sender' | 'recipient' | 'body' | 'optOut' | 'createdAt'>): Promise<Buffer> {
  const sender = letterParty(letter.sender);
  const recipient = letterParty(letter.recipient);
  // Fixed metadata: the same row renders the same document.
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: `Letter ${letter.id}`,
      Author: sender.name,
      CreationDate: letter.createdAt,
      ModDate: letter.createdAt,
      Producer: 'Agency OS',
      Creator: 'Agency OS',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const pageWidth = doc.page.width;

  // Sender block: top right.
  const senderX = pageWidth / 2 + mm(10);
  const senderWidth = pageWidth - MARGIN - senderX;
  doc.font('Helvetica-Bold').fontSize(10).text(sender.name, senderX, MARGIN, { width: senderWidth, align: 'right' });
  doc.font('Helvetica').fontSize(9);
  for (const line of sender.lines) doc.text(line, { width: senderWidth, align: 'right' });

  // Address block in the window.
  doc
    .font('Helvetica')
    .fontSize(10)
    .text([recipient.name, ...recipient.lines].join('\n'), WINDOW.x, WINDOW.y, { width: WINDOW.width, height: WINDOW.height, lineGap: 1 });

  // Date, copy.
  const date = letter.createdAt.toLocaleDateString('en-AU', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  doc.fontSize(10).text(date, MARGIN, WINDOW.y + WINDOW.height + mm(10), { width: pageWidth - 2 * MARGIN, align: 'right' });
  doc.moveDown(2);
  doc.fontSize(11).text(letter.body, MARGIN, doc.y, { width: pageWidth - 2 * MARGIN, lineGap: 3 });

  // Opt-out line: ending at the foot of the page (or under the copy when that runs lower); its
  // height is measured so it never spills onto a page of its own.
  const footWidth = pageWidth - 2 * MARGIN;
  doc.fontSize(8);
  const footHeight = doc.heightOfString(letter.optOut, { width: footWidth });
  const footY = Math.max(doc.y + mm(8), doc.page.height - MARGIN - footHeight - 2);
  doc.fillColor('#444444').text(letter.optOut, MARGIN, footY, { width: footWidth, align: 'left' });
  doc.end();
  return done;
}
