// /api/v1/clients/:clientId/context — the client's context documents (profile.md, brand/voice.md,
// audience/primary-icp.md, …) that every skill run reads. Viewers read; members write.
import { Router } from 'express';
import { z } from 'zod';
import type { ClientContextDocument } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import {
  ContextContent,
  ContextPath,
  ContextPathTaken,
  ContextTitle,
  createContextDocument,
  deleteContextDocument,
  findContextDocument,
  listContextDocuments,
  updateContextDocument,
} from '../../engines/skill-runs/context-docs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, uuid } from '../validate';

export const createDocBody = z.object({ path: ContextPath, title: ContextTitle.optional(), content: ContextContent }).strict();
export const patchDocBody = z
  .object({ path: ContextPath.optional(), title: ContextTitle.nullable().optional(), content: ContextContent.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of path, title, content');
export const docParams = z.object({ clientId: uuid, documentId: uuid });

export function contextDocView(d: ClientContextDocument, opts: { content?: boolean } = { content: true }) {
  return {
    documentId: d.id,
    clientId: d.clientId,
    path: d.path,
    title: d.title,
    chars: d.content.length,
    ...(opts.content ? { content: d.content } : {}),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

const taken = (err: unknown): never => {
  if (err instanceof ContextPathTaken) throw new HttpError(409, 'CONFLICT', err.message);
  throw err;
};

export function contextDocsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });

  const load = async (clientId: string, documentId: string) => {
    const doc = await findContextDocument(deps.db, clientId, documentId);
    if (!doc) throw notFound('context document');
    return doc;
  };

  r.get('/', clientScope('viewer'), async (req, res) => {
    const docs = await listContextDocuments(deps.db, scopedClientId(req));
    res.json({ data: docs.map((d) => contextDocView(d, { content: false })) });
  });

  r.post('/', clientScope('member'), async (req, res) => {
    const clientId = scopedClientId(req);
    const b = body(createDocBody, req);
    const doc = await createContextDocument(deps.db, clientId, b).catch(taken);
    await recordAudit(deps.db, { clientId, ...actorOf(req), action: 'context_document.create', entityType: 'client_context_document', entityId: doc.id, after: { path: doc.path } });
    res.status(201).location(`${req.baseUrl}/${doc.id}`).json(contextDocView(doc));
  });

  r.get('/:documentId', clientScope('viewer'), async (req, res) => {
    const { documentId } = params(docParams, req);
    res.json(contextDocView(await load(scopedClientId(req), documentId)));
  });

  r.patch('/:documentId', clientScope('member'), async (req, res) => {
    const clientId = scopedClientId(req);
    const { documentId } = params(docParams, req);
    // Existence before the body, so another tenant's id is a 404 whatever is sent.
    const doc = await load(clientId, documentId);
    const b = body(patchDocBody, req);
    const updated = await updateContextDocument(deps.db, doc, b).catch(taken);
    await recordAudit(deps.db, { clientId, ...actorOf(req), action: 'context_document.update', entityType: 'client_context_document', entityId: doc.id, before: { path: doc.path }, after: { path: updated.path } });
    res.json(contextDocView(updated));
  });

  r.delete('/:documentId', clientScope('member'), async (req, res) => {
    const clientId = scopedClientId(req);
    const { documentId } = params(docParams, req);
    const doc = await load(clientId, documentId);
    await deleteContextDocument(deps.db, doc);
    await recordAudit(deps.db, { clientId, ...actorOf(req), action: 'context_document.delete', entityType: 'client_context_document', entityId: doc.id, before: { path: doc.path } });
    res.status(204).end();
  });
  return r;
}
