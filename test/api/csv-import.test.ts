// CSV lead imports through csv-parse (issue 13 item 12): a file that is not well-formed CSV is refused
// whole with its line; every row error names its row, the line it starts on and the column as the
// file calls it, multi-line quoted fields included.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';

let stack: TestStack;
let clientId: string;
let auth: Record<string, string>;
beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
});

const postCsv = (csv: string, partial = false) =>
  request(stack.app)
    .post(`/api/v1/clients/${clientId}/leads/bulk${partial ? '?partial=true' : ''}`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(csv);
const count = () => stack.db.lead.count({ where: { clientId } });

it('refuses an unterminated quote with its line, importing nothing', async () => {
  const res = await postCsv(['email,first_name', 'a@q.example,Ann', 'b@q.example,"Bob', 'c@q.example,Cy'].join('\n'));
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('CSV_INVALID');
  expect(res.body.error.message).toMatch(/line \d+/);
  expect(res.body.error.details[0]).toMatchObject({ line: expect.any(Number) });
  expect(await count()).toBe(0);
});

it('refuses a stray quote inside a field and a header that names a field twice', async () => {
  const stray = await postCsv(['email,first_name', 'a@q.example,An"n"ie'].join('\n'));
  expect([stray.status, stray.body.error.code, stray.body.error.details[0].line]).toEqual([400, 'CSV_INVALID', 2]);
  const twice = await postCsv(['Email,E-mail', 'a@q.example,b@q.example'].join('\n'));
  expect([twice.status, twice.body.error.code]).toEqual([400, 'CSV_INVALID']);
  expect(twice.body.error.message).toMatch(/email twice/);
  expect(await count()).toBe(0);
});

it('names row, line and column on every row error, across quoted line breaks and blank lines', async () => {
  const csv = [
    '\uFEFFE-mail Address,First Name,Job Title',
    'ok1@q.example,Ann,"Head of',
    'Growth"',
    '',
    'not-an-email,Bob,CEO',
    'ok2@q.example,Cy,CTO,surplus',
    'ok3@q.example,"Di ""The Boss""",COO',
  ].join('\r\n');
  const bad = await postCsv(csv);
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('IMPORT_INVALID');
  expect(bad.body.error.details.errors).toEqual([
    { row: 3, line: 6, field: '(row)', column: 'column 4', message: 'has 4 fields; the header has 3' },
    { row: 2, line: 5, field: 'email', column: 'E-mail Address', message: 'must be an email address' },
  ]);
  expect(await count()).toBe(0);

  const partial = await postCsv(csv, true);
  expect(partial.status).toBe(201);
  expect(partial.body.imported).toBe(2);
  const ann = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'ok1@q.example' } });
  expect(ann.title).toBe('Head of\nGrowth');
  const di = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'ok3@q.example' } });
  expect(di.firstName).toBe('Di "The Boss"');
  expect(await stack.db.lead.count({ where: { clientId, email: 'ok2@q.example' } })).toBe(0);
});
