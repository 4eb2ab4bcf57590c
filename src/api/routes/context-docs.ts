// /api/v1/clients/:clientId/context — the client's context documents (profile.md, brand/voice.md,
// audience/primary-icp.md, …) that every skill run reads. Viewers read; members write.
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
import { created, dateTime, noContent, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';
import type { Db } from '../../db/client';

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

const ContextDocSchema = z.object({
  documentId: z.string(),
  clientId: z.string(),
  path: z.string(),
  title: z.string().nullable(),
  chars: z.number().int(),
  content: z.string().optional(),
  createdAt: dateTime,
  updatedAt: dateTime,
});

async function load(db: Db, clientId: string, documentId: string): Promise<ClientContextDocument> {
  const doc = await findContextDocument(db, clientId, documentId);
  if (!doc) throw notFound('context document');
  return doc;
}

const CONTEXT = '/api/v1/clients/{clientId}/context';
const clientParams = z.object({ clientId: uuid });

export const contextDocRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: CONTEXT,
    summary: "The client's context documents (without content)",
    tag: 'context',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(z.object({ data: z.array(ContextDocSchema) })) },
    handler: async ({ params: { clientId }, res, deps }) => {
      const docs = await listContextDocuments(deps.db, clientId);
      res.json({ data: docs.map((d) => contextDocView(d, { content: false })) });
    },
  }),
  defineRoute({
    method: 'post',
    path: CONTEXT,
    summary: 'Add a context document (e.g. brand/voice.md)',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createDocBody,
    responses: { 201: created(ContextDocSchema) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const doc = await createContextDocument(deps.db, clientId, body()).catch(taken);
      await recordAudit(deps.db, {
        clientId,
        ...actorOf(req),
        action: 'context_document.create',
        entityType: 'client_context_document',
        entityId: doc.id,
        after: { path: doc.path },
      });
      res.status(201).location(`${req.baseUrl}/${doc.id}`).json(contextDocView(doc));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CONTEXT}/{documentId}`,
    summary: 'A context document',
    tag: 'context',
    access: { kind: 'client', role: 'viewer' },
    params: docParams,
    responses: { 200: ok(ContextDocSchema) },
    handler: async ({ params: { clientId, documentId }, res, deps }) => {
      res.json(contextDocView(await load(deps.db, clientId, documentId)));
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${CONTEXT}/{documentId}`,
    summary: 'Change a context document',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: docParams,
    body: patchDocBody,
    responses: { 200: ok(ContextDocSchema) },
    handler: async ({ params: { clientId, documentId }, body, req, res, deps }) => {
      // Existence before the body, so another tenant's id is a 404 whatever is sent.
      const doc = await load(deps.db, clientId, documentId);
      const updated = await updateContextDocument(deps.db, doc, body()).catch(taken);
      await recordAudit(deps.db, {
        clientId,
        ...actorOf(req),
        action: 'context_document.update',
        entityType: 'client_context_document',
        entityId: doc.id,
        before: { path: doc.path },
        after: { path: updated.path },
      });
      res.json(contextDocView(updated));
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${CONTEXT}/{documentId}`,
    summary: 'Delete a context document',
    tag: 'context',
    access: { kind: 'client', role: 'member' },
    params: docParams,
    responses: { 204: noContent },
    handler: async ({ params: { clientId, documentId }, req, res, deps }) => {
      const doc = await load(deps.db, clientId, documentId);
      await deleteContextDocument(deps.db, doc);
      await recordAudit(deps.db, {
        clientId,
        ...actorOf(req),
        action: 'context_document.delete',
        entityType: 'client_context_document',
        entityId: doc.id,
        before: { path: doc.path },
      });
      res.status(204).end();
    },
  }),
];

export const contextDocsRouter = (deps: ApiDeps) => routerFor(deps, CONTEXT, contextDocRoutes);
