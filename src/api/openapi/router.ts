// GET /api/v1/openapi.json and GET /api/v1/docs (public: the API's shape is not a secret).
import { Router } from 'express';
import { openApiDocument } from './document';
import { renderDocsPage } from './docs-page';
import { allOperations } from './operations';

export function openApiRouter(version: string): Router {
  const r = Router();
  let page: string | undefined;
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(allOperations, version));
  });
  r.get('/docs', (_req, res) => {
    page ??= renderDocsPage(openApiDocument(allOperations, version));
    res.type('html').send(page);
  });
  return r;
}
