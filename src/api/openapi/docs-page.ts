// /api/v1/docs: the OpenAPI document rendered as one self-contained HTML page (no scripts, no CDN
// assets: the API may run offline). Operations are grouped by tag; schemas fold out.
import type { OpenAPIObject } from './document';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface OperationLike {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  'x-access'?: string;
}

const json = (v: unknown) => `<details><summary>schema</summary><pre>${esc(JSON.stringify(v, null, 2))}</pre></details>`;

function operationHtml(method: string, path: string, op: OperationLike): string {
  const params = (op.parameters ?? [])
    .map((p) => `<li><code>${esc(p.name)}</code> <small>(${esc(p.in)}${p.required ? ', required' : ''})</small> ${json(p.schema)}</li>`)
    .join('');
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(([type, c]) => `<li><code>${esc(type)}</code> ${json(c.schema)}</li>`)
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {})
        .map(([type, c]) => `<code>${esc(type)}</code> ${json(c.schema)}`)
        .join('');
      return `<li><b>${esc(status)}</b> ${esc(r.description)} ${content}</li>`;
    })
    .join('');
  return `<section id="${esc(op.operationId)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)} <small class="access">${esc(op['x-access'])}</small></p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ''}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}${body ? `<h4>Body</h4><ul>${body}</ul>` : ''}<h4>Responses</h4><ul>${responses}</ul></section>`;
}

export function renderDocsPage(doc: OpenAPIObject): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, OperationLike | undefined>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operationHtml(method, path, op));
    }
  }
  const toc = [...byTag.keys(), 'schemas'].map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${ops.join('\n')}`).join('\n');
  // Named schemas ($ref targets: #/components/schemas/<name>).
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre></section>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
section{border-top:1px solid #ddd;padding:.4rem 0}h3{font-size:1rem;margin:.6rem 0 .2rem}h4{font-size:.85rem;margin:.4rem 0}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:1px 4px}
.get{background:#2b7bb9}.post{background:#3a9b48}.patch{background:#b9802b}.put{background:#8a5ab9}.delete{background:#b93a3a}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8rem}.access{color:#666;border:1px solid #ccc;border-radius:3px;padding:0 4px}
.d{white-space:pre-wrap;color:#444}ul{margin:.2rem 0}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p><nav>${toc}</nav>
${sections}
<h2 id="tag-schemas">schemas</h2>${schemas}</body></html>`;
}
