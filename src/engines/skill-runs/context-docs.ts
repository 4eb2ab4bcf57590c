// A client's context documents (profile, brand voice, messaging, ICP, product, …), the seed's
// `clients/<client>/...` tree kept per client in Postgres and read into every skill run's prompt.
import { z } from 'zod';
import type { ClientContextDocument, Db } from '../../db/client';

// Relative markdown paths such as `profile.md` or `brand/voice.md`: no `..`, no leading slash.
export const ContextPath = z
  .string()
  .trim()
  .max(200)
  .regex(/^(?:[a-z0-9][a-z0-9._-]*\/){0,3}[a-z0-9][a-z0-9._-]*\.md$/, 'must be a relative markdown path such as brand/voice.md (lower case, at most 4 levels)')
  .refine((p) => !p.split('/').some((seg) => seg.startsWith('..')), 'must not contain ..');
export const ContextContent = z.string().min(1).max(100_000);
export const ContextTitle = z.string().trim().min(1).max(200);

/** The seed's reading order: who the client is, how they sound, who they sell to, what they sell. */
const ORDER = ['profile.md', 'brand/', 'audience/', 'product/', 'messaging/', 'competitors/'];

function rank(path: string): number {
  const i = ORDER.findIndex((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
  return i === -1 ? ORDER.length : i;
}

export function sortForPrompt<T extends { path: string }>(docs: T[]): T[] {
  return [...docs].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

export async function listContextDocuments(db: Db, clientId: string): Promise<ClientContextDocument[]> {
  return sortForPrompt(await db.clientContextDocument.findMany({ where: { clientId, deletedAt: null } }));
}

export class ContextPathTaken extends Error {
  constructor(path: string) {
    super(`a context document already has the path ${path}`);
    this.name = 'ContextPathTaken';
  }
}

/** Creates a document; a deleted one at the same path is brought back with the new content. */
export async function createContextDocument(db: Db, clientId: string, doc: { path: string; title?: string; content: string }): Promise<ClientContextDocument> {
  const existing = await db.clientContextDocument.findUnique({ where: { clientId_path: { clientId, path: doc.path } } });
  if (existing && !existing.deletedAt) throw new ContextPathTaken(doc.path);
  if (existing) {
    return db.clientContextDocument.update({ where: { id: existing.id }, data: { title: doc.title ?? null, content: doc.content, deletedAt: null } });
  }
  try {
    return await db.clientContextDocument.create({ data: { clientId, path: doc.path, title: doc.title ?? null, content: doc.content } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new ContextPathTaken(doc.path);
    throw err;
  }
}

export async function findContextDocument(db: Db, clientId: string, id: string): Promise<ClientContextDocument | null> {
  return db.clientContextDocument.findFirst({ where: { id, clientId, deletedAt: null } });
}

export async function updateContextDocument(
  db: Db,
  doc: ClientContextDocument,
  patch: { path?: string; title?: string | null; content?: string },
): Promise<ClientContextDocument> {
  if (patch.path && patch.path !== doc.path) {
    const clash = await db.clientContextDocument.findUnique({ where: { clientId_path: { clientId: doc.clientId, path: patch.path } } });
    if (clash && !clash.deletedAt) throw new ContextPathTaken(patch.path);
    // A deleted document in the way gives its path up.
    if (clash) await db.clientContextDocument.delete({ where: { id: clash.id } });
  }
  return db.clientContextDocument.update({ where: { id: doc.id }, data: patch });
}

export async function deleteContextDocument(db: Db, doc: ClientContextDocument): Promise<void> {
  await db.clientContextDocument.update({ where: { id: doc.id }, data: { deletedAt: new Date() } });
}
