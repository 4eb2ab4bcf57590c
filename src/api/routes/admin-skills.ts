// /api/v1/admin/skills — platform admins: the weekly skill feedback digest (the latest stored one,
// or the figures so far before the first weekly run; POST builds and stores it now).
import { Router } from 'express';
import { recordAudit } from '../../engines/audit';
import { computeSkillDigest, digestView } from '../../engines/skill-runs/digest';
import { runSkillDigestNow } from '../../lifecycle/skill-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';

export function adminSkillsRouter(deps: ApiDeps): Router {
  const r = Router();
  r.get('/digest', async (_req, res) => {
    const latest = await deps.db.skillDigest.findFirst({ orderBy: [{ periodEnd: 'desc' }, { createdAt: 'desc' }] });
    if (latest) {
      res.json(digestView(latest));
      return;
    }
    // Before the first weekly run: the figures so far, not stored (POST stores one).
    res.json({ digestId: null, stored: false, createdAt: new Date().toISOString(), ...(await computeSkillDigest(deps.db, new Date())) });
  });
  r.post('/digest', async (req, res) => {
    const digestId = await runSkillDigestNow(deps.temporal, deps.taskQueue);
    const digest = await deps.db.skillDigest.findUniqueOrThrow({ where: { id: digestId } });
    await recordAudit(deps.db, { ...actorOf(req), action: 'skill_digest.build', entityType: 'skill_digest', entityId: digest.id });
    res.status(201).json(digestView(digest));
  });
  return r;
}
