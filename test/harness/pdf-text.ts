// The text of a PDF, read with pdf-parse (pdf.js). pdf.js sets up its worker with a dynamic
// import(), which jest's CommonJS sandbox refuses without --experimental-vm-modules, so the
// extraction runs in a plain Node child process: the PDF goes in on stdin, the text comes out.
import { execFile } from 'node:child_process';

const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: Buffer.concat(chunks) });
  try {
    process.stdout.write(JSON.stringify((await parser.getText()).text));
  } finally {
    await parser.destroy();
  }
});`;

export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', SCRIPT], { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pdf-parse failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as string);
    });
    child.stdin!.end(pdf);
  });
}
